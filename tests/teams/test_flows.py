"""Teams end to end: activities POSTed over HTTP to the real app, replies captured by the fake
Bot Connector at the activity's serviceUrl; proactive posts and DMs; cards, buttons, forms."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import pytest

from commands.context import Context
from commands.model import (
    Address,
    Choice,
    CommandRequest,
    Form,
    FormField,
    FormSubmission,
    Interaction,
    OutgoingMessage,
    Reply,
    UserRef,
)
from commands.port import DeliveryError
from commands.router import Router
from storage.teams import TeamsReferenceRepository
from tests.teams.conftest import ANNA, BRAM, CHANNEL, TENANT, Feature, TeamsHarness

CARD = "application/vnd.microsoft.card.adaptive"


def demo_feature(router: Router) -> None:
    """A tiny feature with a button card and a form, to drive the Teams rendering."""

    async def card(request: CommandRequest, ctx: Context) -> Reply:
        choices = (Choice("demo.vote", "ja", "Ja", style="primary"),
                   Choice("demo.vote", "nee", "Nee"))
        return Reply(OutgoingMessage("Doe je mee?", choices=choices, title="Peiling"),
                     private=False)

    async def vote(request: Interaction, ctx: Context) -> Reply:
        return Reply(OutgoingMessage(f"Gestemd: **{request.value}**"), replace=True)

    async def form(request: CommandRequest, ctx: Context) -> Reply:
        fields = (FormField("titel", "Titel", required=True, max_length=80),
                  FormField("tekst", "Tekst", kind="multiline"),
                  FormField("kanaal", "Kanaal", kind="select",
                            options=(("a", "Algemeen"), ("b", "Beleid"))),
                  FormField("wanneer", "Wanneer", kind="datetime"),
                  FormField("anoniem", "Anoniem", kind="checkbox"))
        return Reply(OutgoingMessage("Gebruik de kaart."),
                     form=Form("demo.form", "Nieuw bericht", fields, "Versturen", state="s1"))

    async def submitted(request: FormSubmission, ctx: Context) -> Reply:
        values = ", ".join(f"{k}={v}" for k, v in sorted(request.values.items()))
        return Reply.text(f"Ontvangen ({request.state}): {values}")

    async def note(request: Interaction, ctx: Context) -> Reply:
        return Reply.text(f"Alleen voor jou: {request.value}")

    router.interaction("demo.note", note)
    router.command("demo-kaart", card)
    router.command("demo-form", form)
    router.interaction("demo.vote", vote)
    router.form("demo.form", submitted)


@pytest.fixture
def harness_features() -> Sequence[Feature]:
    return (demo_feature,)


async def test_help_in_dutch_and_english(teams: TeamsHarness) -> None:
    await teams.post(teams.activities.personal("help"))
    english = teams.activities.personal("help", sender=BRAM)
    english["locale"] = "en-US"
    await teams.post(english)
    calls = await teams.connector.wait_for(lambda c: len(c) >= 2)
    by_conversation = {c.conversation_id: c for c in calls}
    assert "wat je hier kunt doen" in by_conversation["a:dm-aad-anna"].text
    assert "what you can do here" in by_conversation["a:dm-aad-bram"].text
    assert calls[0].card is not None and calls[0].body["type"] == "message"


async def test_mention_in_channel_answers_privately_in_a_new_1to1_chat(
        teams: TeamsHarness) -> None:
    response = await teams.post(teams.activities.channel("help"))
    assert response.status_code == 200
    calls = await teams.connector.wait_for(lambda c: len(c) >= 2)
    create, post = calls[0], calls[1]
    assert create.path == "/v3/conversations"
    assert create.body["members"] == [{"id": ANNA.id}]
    assert create.body["tenantId"] == TENANT
    assert post.conversation_id.startswith("a:dm-")
    assert "wat je hier kunt doen" in post.text
    assert not any(c.conversation_id.startswith("19:") for c in calls)  # nothing in the channel


async def test_channel_message_without_mention_is_ignored(teams: TeamsHarness) -> None:
    await teams.post(teams.activities.channel("help", mention=False))
    await teams.settle()
    assert teams.connector.sent() == []


async def test_public_reply_goes_into_the_thread(teams: TeamsHarness) -> None:
    await teams.post(teams.activities.channel("demo-kaart", thread="1700000000000"))
    calls = await teams.connector.wait_for(lambda c: len(c) >= 1)
    assert calls[0].conversation_id == f"{CHANNEL};messageid=1700000000000"
    card = calls[0].card
    assert card is not None
    assert [a["title"] for a in card["actions"]] == ["Ja", "Nee"]
    assert card["actions"][0]["type"] == "Action.Submit"
    assert card["actions"][0]["style"] == "positive"


async def test_card_button_press_updates_the_card_in_place(teams: TeamsHarness) -> None:
    await teams.post(teams.activities.channel("demo-kaart"))
    posted = (await teams.connector.wait_for(lambda c: len(c) >= 1))[0]
    assert posted.card is not None
    data = posted.card["actions"][1]["data"]
    await teams.post(teams.activities.submit(data, card_id=posted.result_id, sender=BRAM))
    calls = await teams.connector.wait_for(lambda c: any(x.method == "PUT" for x in c))
    put = next(c for c in calls if c.method == "PUT")
    assert put.path == f"/v3/conversations/{CHANNEL}/activities/{posted.result_id}"
    assert "Gestemd: **nee**" in put.text
    assert len(teams.connector.activities()) == 1  # updated, not posted again


async def test_action_execute_answers_with_the_updated_card(teams: TeamsHarness) -> None:
    await teams.post(teams.activities.installed_in_team())
    data = {"hs_kind": "choice", "hs_action": "demo.vote", "hs_value": "ja"}
    response = await teams.post(teams.activities.execute("demo.vote", data, card_id="act-9"))
    assert response.status_code == 200
    body = response.json()
    assert body["statusCode"] == 200 and body["type"] == CARD
    texts = [b.get("text") for b in body["value"]["body"]]
    assert "Gestemd: **ja**" in texts


async def test_action_execute_private_answer_is_shown_to_the_presser_only(
        teams: TeamsHarness) -> None:
    await teams.post(teams.activities.installed_in_team())
    data = {"hs_kind": "choice", "hs_action": "demo.note", "hs_value": "42"}
    response = await teams.post(teams.activities.execute("demo.note", data, card_id="act-9"))
    body = response.json()
    assert body["type"] == "application/vnd.microsoft.activity.message"
    assert body["value"] == "Alleen voor jou: 42"
    await teams.settle()
    assert teams.connector.sent() == []  # nothing posted anywhere


async def test_form_opens_as_card_in_1to1_and_submission_reaches_the_feature(
        teams: TeamsHarness) -> None:
    await teams.post(teams.activities.channel("demo-form"))
    calls = await teams.connector.wait_for(lambda c: len(c) >= 2)
    form = calls[-1]
    assert form.conversation_id.startswith("a:dm-")
    card = form.card
    assert card is not None
    kinds = [item["type"] for item in card["body"]]
    assert kinds == ["TextBlock", "Input.Text", "Input.Text", "Input.ChoiceSet", "Input.Date",
                     "Input.Time", "Input.Toggle"]
    submit = card["actions"][0]
    assert submit["type"] == "Action.Submit"
    values = {**submit["data"], "f_titel": "Hallo", "f_tekst": "", "f_kanaal": "b",
              "f_wanneer__date": "2026-11-24", "f_wanneer__time": "09:30", "f_anoniem": "false"}
    teams.connector.clear()
    dm = form.conversation_id
    submission = teams.activities.submit(values, card_id="act-2", personal=True)
    submission["conversation"]["id"] = dm
    await teams.post(submission)
    done = await teams.connector.wait_for(lambda c: len(c) >= 1)
    assert done[0].conversation_id == dm
    assert ("Ontvangen (s1): anoniem=false, kanaal=b, tekst=, titel=Hallo, "
            "wanneer=2026-11-24T09:30") in done[0].text


async def test_proactive_announcement_into_a_channel(teams: TeamsHarness) -> None:
    response = await teams.post(teams.activities.installed_in_team(members=[BRAM]))
    assert response.status_code == 200
    address = Address("teams", TENANT, CHANNEL)
    ref = await teams.app.port.send(address, OutgoingMessage("**Nieuws**: de kantine is dicht",
                                                             title="Mededeling"),
                                    delivery_id="d-1")
    calls = teams.connector.activities()
    assert len(calls) == 1 and calls[0].conversation_id == CHANNEL
    assert "Mededeling" in calls[0].text and "**Nieuws**" in calls[0].text
    assert calls[0].body.get("summary", "").startswith("Mededeling")
    # A retry of the same outbox row posts nothing new and finds the same activity.
    again = await teams.app.port.send(address, OutgoingMessage("x"), delivery_id="d-1")
    assert again == ref and len(teams.connector.activities()) == 1
    assert await teams.adapter.port.find_delivery(address, "d-1") == ref


async def test_proactive_dm_to_a_team_member_who_never_wrote(teams: TeamsHarness) -> None:
    await teams.post(teams.activities.installed_in_team(members=[BRAM]))
    user = UserRef("teams", BRAM.aad_object_id)
    await teams.app.port.send_direct(user, OutgoingMessage("Vergeet de peiling niet"))
    create, post = teams.connector.sent()[:2]
    assert create.path == "/v3/conversations" and create.body["members"] == [{"id": BRAM.id}]
    assert post.conversation_id.startswith("a:dm-")
    # The 1:1 conversation is remembered: the next DM needs no new conversation.
    await teams.app.port.send_direct(user, OutgoingMessage("Nog eentje"))
    assert len([c for c in teams.connector.sent() if c.path == "/v3/conversations"]) == 1


async def test_personal_install_is_remembered_and_uninstall_forgets(teams: TeamsHarness) -> None:
    refs = teams.app.store.repo(TeamsReferenceRepository)
    await teams.post(teams.activities.installed_personal())
    person = await refs.user(ANNA.aad_object_id)
    assert person is not None and person.dm_conversation_id == "a:dm-aad-anna"
    await teams.app.port.send_direct(UserRef("teams", ANNA.aad_object_id), OutgoingMessage("Hoi"))
    assert [c.conversation_id for c in teams.connector.sent()] == ["a:dm-aad-anna"]
    await teams.post(teams.activities.installed_personal(action="remove"))
    assert await refs.user(ANNA.aad_object_id) is None
    with pytest.raises(DeliveryError) as caught:
        await teams.app.port.send_direct(UserRef("teams", ANNA.aad_object_id),
                                         OutgoingMessage("Hoi"))
    assert caught.value.permanent


async def test_unknown_targets_fail_permanently(teams: TeamsHarness) -> None:
    with pytest.raises(DeliveryError) as channel:
        await teams.app.port.send(Address("teams", TENANT, "19:never"), OutgoingMessage("x"))
    with pytest.raises(DeliveryError) as person:
        await teams.app.port.send_direct(UserRef("teams", "aad-nobody"), OutgoingMessage("x"))
    assert channel.value.permanent and person.value.permanent
    assert teams.connector.sent() == []


async def test_members_are_listed_and_become_reachable(teams: TeamsHarness) -> None:
    await teams.post(teams.activities.installed_in_team())
    teams.connector.members[CHANNEL] = [ANNA, BRAM]
    members = await teams.app.port.members(Address("teams", TENANT, CHANNEL))
    assert [m.id for m in members or []] == ["aad-anna", "aad-bram"]
    refs = teams.app.store.repo(TeamsReferenceRepository)
    assert (await refs.user("aad-bram")) is not None


async def test_a_retried_activity_is_handled_once(teams: TeamsHarness) -> None:
    activity = teams.activities.personal("help")
    await teams.post(activity)
    await teams.settle()
    await teams.post(activity)
    await teams.settle()
    assert len(teams.connector.activities()) == 1


async def test_activity_from_another_tenant_is_ignored(teams: TeamsHarness) -> None:
    activity = teams.activities.personal("help")
    activity["conversation"]["tenantId"] = "someone-else"
    activity["channelData"]["tenant"]["id"] = "someone-else"
    response = await teams.post(activity)
    assert response.status_code == 200
    await teams.settle()
    assert teams.connector.sent() == []
    refs = teams.app.store.repo(TeamsReferenceRepository)
    assert await refs.user(ANNA.aad_object_id) is None


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]"])
async def test_bad_bodies_are_refused_before_anything_else(teams: TeamsHarness,
                                                           body: bytes) -> None:
    response = await teams.http.post(f"{teams.url}/api/messages", content=body,
                                     headers={"Authorization": f"Bearer {teams.token()}",
                                              "Content-Type": "application/json"})
    assert response.status_code == 400
    assert teams.connector.sent() == []


async def test_removing_the_app_from_a_team_forgets_its_channel(teams: TeamsHarness) -> None:
    refs = teams.app.store.repo(TeamsReferenceRepository)
    await teams.post(teams.activities.installed_in_team())
    assert await refs.conversation(CHANNEL) is not None
    removed = teams.activities.installed_in_team()
    removed.update(type="installationUpdate", action="remove")
    removed.pop("membersAdded")
    await teams.post(removed)
    assert await refs.conversation(CHANNEL) is None
    with pytest.raises(DeliveryError) as caught:
        await teams.app.port.send(Address("teams", TENANT, CHANNEL), OutgoingMessage("x"))
    assert caught.value.permanent


async def test_card_submits_skip_the_sdk_turn_and_other_activities_take_it(
        teams: TeamsHarness) -> None:
    turns: list[str] = []
    sdk_turn = teams.adapter._sdk_turn

    async def counted(event: Any) -> Any:
        turns.append(str(event.body.type))
        return await sdk_turn(event)

    teams.adapter._sdk_turn = counted
    await teams.post(teams.activities.channel("demo-kaart"))
    posted = (await teams.connector.wait_for(lambda c: len(c) >= 1))[0]
    assert turns == ["message"]  # a text message goes through the SDK's turn
    assert posted.card is not None
    data = posted.card["actions"][0]["data"]
    answer = await teams.post(teams.activities.submit(data, card_id=posted.result_id,
                                                      sender=BRAM))
    assert answer.status_code == 200
    calls = await teams.connector.wait_for(lambda c: any(x.method == "PUT" for x in c))
    assert "Gestemd: **ja**" in next(c for c in calls if c.method == "PUT").text
    assert turns == ["message"]  # the submit did not


async def test_a_card_submit_with_a_bad_token_is_refused_and_not_handled(
        teams: TeamsHarness) -> None:
    data = {"hs_kind": "choice", "hs_action": "demo.note", "hs_value": "x"}
    submit = teams.activities.submit(data, card_id="act-1", personal=True)
    for token in ("not-a-jwt", teams.token(audience="someone-else"), None):
        response = await teams.post(submit, token=token)
        assert response.status_code == 401
    await teams.settle()
    assert teams.connector.sent() == []
    assert await teams.app.store.repo(TeamsReferenceRepository).user(ANNA.aad_object_id) is None


async def test_replies_in_a_burst_keep_a_bounded_number_of_calls_open(
        teams: TeamsHarness) -> None:
    """Bot Connector calls wait for a free slot instead of piling up in the HTTP client."""
    from bots.teams.port import CONCURRENT_CALLS

    await teams.post(teams.activities.installed_in_team())
    teams.connector.delay = 0.05
    address = Address("teams", TENANT, CHANNEL)
    count = CONCURRENT_CALLS * 3
    refs = await asyncio.gather(*(teams.app.port.send(address, OutgoingMessage(f"n{i}"))
                                  for i in range(count)))
    assert len({ref.message_id for ref in refs}) == count
    assert len(teams.connector.activities()) == count
    assert 1 < teams.connector.most_in_flight <= CONCURRENT_CALLS


async def test_replies_do_not_pile_up_telemetry_objects(teams: TeamsHarness) -> None:
    """The SDK asks OpenTelemetry for a new meter on every outbound call; with no provider
    configured, OpenTelemetry's placeholder used to keep each one forever."""
    import gc

    from opentelemetry import metrics

    def meters() -> int:
        return sum(1 for o in gc.get_objects() if type(o).__name__ == "_ProxyMeter")

    assert isinstance(metrics.get_meter_provider(), metrics.NoOpMeterProvider)
    await teams.post(teams.activities.installed_in_team())
    before = meters()
    address = Address("teams", TENANT, CHANNEL)
    for n in range(30):
        await teams.app.port.send(address, OutgoingMessage(f"n{n}"))
    assert len(teams.connector.activities()) >= 30
    assert meters() == before

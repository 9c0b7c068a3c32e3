"""Announcements from Teams: compose by command in the 1:1 chat, confirm with the card button,
the post reaches the channel through the outbox, a colleague acknowledges with the card's
button, and the compose form opens as an Adaptive Card whose submission gives a preview."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.teams.conftest import ANNA, BRAM, CHANNEL, TENANT, TeamsHarness

TARGET = f"teams:{CHANNEL}"


@pytest.fixture
def harness_sections() -> dict[str, Any]:
    return {"roles": {"admin": [ANNA.key], "comms": [ANNA.key, BRAM.key], "triage": [],
                      "managers": {}},
            "announcements": {"workspaces": {"teams": TENANT}}}


async def _drain(teams: TeamsHarness) -> None:
    for _ in range(20):
        if not await teams.app.outbox.drain():
            break
        await asyncio.sleep(0)


def _button(call: Any, label: str) -> dict[str, Any]:
    assert call.card is not None, call.text
    return next(a for a in call.card["actions"] if a["title"] == label)


async def test_compose_confirm_post_and_acknowledge(teams: TeamsHarness) -> None:
    await teams.post(teams.activities.installed_in_team(members=[BRAM]))
    await teams.post(teams.activities.personal(
        f'announce new --title "Nieuw rooster" --body "Vanaf **maandag**." --to {TARGET} --ack'))
    preview = (await teams.connector.wait_for(lambda c: len(c) >= 1))[0]
    assert preview.conversation_id == "a:dm-aad-anna"
    assert "Voorbeeld van aankondiging" in preview.text
    assert not any(c.conversation_id == CHANNEL for c in teams.connector.sent())

    teams.connector.clear()
    send = _button(preview, "Versturen")
    await teams.post(teams.activities.submit(send["data"], card_id=preview.result_id,
                                             personal=True))
    await teams.settle()
    await _drain(teams)
    posted = [c for c in teams.connector.activities() if c.conversation_id == CHANNEL]
    assert len(posted) == 1
    assert "Nieuw rooster" in posted[0].text and "Vanaf **maandag**." in posted[0].text
    read = _button(posted[0], "Gelezen")

    teams.connector.clear()
    await teams.post(teams.activities.submit(read["data"], card_id=posted[0].result_id,
                                             sender=BRAM))
    calls = await teams.connector.wait_for(
        lambda c: any("gelezen hebt" in x.text for x in c))
    thanks = next(c for c in calls if "gelezen hebt" in c.text)
    assert thanks.conversation_id.startswith("a:dm-")  # private: Bram's 1:1 chat, not the channel
    assert not any(c.conversation_id == CHANNEL and c.method == "POST" for c in calls)


async def test_compose_form_as_adaptive_card(teams: TeamsHarness) -> None:
    await teams.post(teams.activities.installed_in_team())
    await teams.post(teams.activities.channel("announce form"))
    calls = await teams.connector.wait_for(lambda c: any(x.card and "actions" in x.card
                                                         for x in c))
    form = next(c for c in calls if c.card and "actions" in c.card)
    assert form.conversation_id.startswith("a:dm-")  # a form is personal: never in the channel
    assert form.card is not None
    ids = [b.get("id") for b in form.card["body"] if "id" in b]
    assert {"f_title", "f_body", "f_targets", "f_ack"} <= set(ids)
    data = dict(form.card["actions"][0]["data"])
    data |= {"f_title": "Kantine dicht", "f_body": "Vrijdag is de kantine dicht.",
             "f_targets": TARGET, "f_ack": "false"}
    teams.connector.clear()
    submission = teams.activities.submit(data, card_id=form.result_id, personal=True)
    submission["conversation"]["id"] = form.conversation_id
    await teams.post(submission)
    preview = (await teams.connector.wait_for(lambda c: len(c) >= 1))[0]
    assert "Voorbeeld van aankondiging" in preview.text and "Kantine dicht" in preview.text


async def test_people_without_the_comms_role_are_refused(teams: TeamsHarness) -> None:
    from tests.teams.conftest import TESS

    await teams.post(teams.activities.personal(
        f'announce new --title "x" --body "y" --to {TARGET}', sender=TESS))
    reply = (await teams.connector.wait_for(lambda c: len(c) >= 1))[0]
    assert "communicatie" in reply.text

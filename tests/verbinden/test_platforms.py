"""Verbinden on the platforms: a round on the fake Slack through the official SDK (group DMs
by conversations.open with several users, or one DM each), and on recording ports for Slack
and Teams people matched across platforms, with a person who cannot be reached."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bots.app import App
from commands.clock import FakeClock
from commands.model import Address, CommandRequest, FormSubmission, Interaction, Reply, UserRef
from commands.port import DeliveryError
from storage.people import PeopleRepository, PersonRow
from storage.verbinden import VerbindenRepository
from tests.conftest import make_config
from tests.slack.conftest import SlackHarness, button
from tests.support.fake_port import FULL, FakeChatPort

PEOPLE = ["U0P1", "U0P2", "U0P3", "U0P4"]
CREATE = 'verbinden create "Koffie met een onbekende" --when "elke dinsdag 10:00"'


@pytest.fixture
def slack_sections(request: pytest.FixtureRequest) -> dict[str, Any]:
    groups = getattr(request, "param", False)
    return {"roles": {"admin": ["slack:U0ANNA"], "comms": ["slack:U0ANNA"], "triage": [],
                      "managers": {}},
            "verbinden": {"group_conversations": groups}}


async def join_everyone(slack: SlackHarness) -> None:
    for person in PEOPLE:
        slack.fake.add_user(person, f"Collega {person[-1]}")
    hook = await slack.command(CREATE)
    await slack.fake.wait_for_response()
    assert "staat klaar" in slack.answers(hook)[0]["text"]
    await slack.settle_outbox()
    announcement = slack.posts("C0ALG")[-1]
    join = button(announcement.args["blocks"], "Doe mee")
    for person in PEOPLE:
        await slack.press(join, user=person)
    assert await slack.app.store.repo(VerbindenRepository).count(1) == 4


@pytest.mark.parametrize("slack_sections", [True], indirect=True)
async def test_slack_round_opens_group_dms(slack: SlackHarness) -> None:
    await join_everyone(slack)
    opened_before = len(slack.fake.called("conversations.open"))
    await slack.advance(timedelta(days=1, hours=2))  # Tuesday 10:00 passes
    opens = slack.fake.called("conversations.open")[opened_before:]
    groups = [call.args["users"].split(",") for call in opens if "," in call.args["users"]]
    assert len(groups) == 2 and sorted(p for g in groups for p in g) == sorted(PEOPLE)
    intros = [c for c in slack.posts() if "Welkom in dit groepsgesprek" in c.args["text"]]
    assert len(intros) == 2  # one message per group, in its group DM


async def test_slack_round_sends_one_dm_each_by_default(slack: SlackHarness) -> None:
    await join_everyone(slack)
    await slack.advance(timedelta(days=1, hours=2))
    intros = [c for c in slack.posts() if "Deze keer spreek je af met" in c.args["text"]]
    assert sorted(c.args["channel"] for c in intros) == sorted("D" + p[1:] for p in PEOPLE)
    assert not [c for c in slack.fake.called("conversations.open") if "," in c.args["users"]]
    # The buttons under an intro: skip a round, stop.
    stop = button(intros[0].args["blocks"], "Stop")
    person = "U" + intros[0].args["channel"][1:]
    await slack.press(stop, user=person, channel=intros[0].args["channel"])
    assert await slack.app.store.repo(VerbindenRepository).participant(1, f"slack:{person}") \
        is None


# -- across platforms, and a person who cannot be reached ---------------------------------
ANNA = UserRef("slack", "UANNA", "Anna", "T1")
SLACKERS = [UserRef("slack", f"US{i}", "", "T1") for i in range(1, 4)]
TEAMS = [UserRef("teams", f"29:t{i}", "", "tenant") for i in range(1, 4)]
HERE = Address("slack", "T1", "CALG")


class Driver:
    def __init__(self, app: App, slack: FakeChatPort, teams: FakeChatPort,
                 clock: FakeClock) -> None:
        self.app, self.slack, self.teams, self.clock = app, slack, teams, clock

    async def command(self, args: str, *, user: UserRef = ANNA) -> Reply:
        reply = await self.app.handle(CommandRequest(user, HERE, "verbinden", args))
        await self.app.outbox.drain()
        assert reply is not None
        return reply

    async def press(self, user: UserRef, action: str, value: str) -> Reply | None:
        return await self.app.handle(Interaction(user, HERE, action, value))

    async def advance(self, delta: timedelta) -> None:
        end = self.clock.now() + delta
        while self.clock.now() < end:
            self.clock.set(min(end, self.clock.now() + timedelta(minutes=15)))
            await self.app.scheduler.run_due()
            await self.app.outbox.drain()


@pytest.fixture
async def two(db_url: str, tmp_path: Path, clock: FakeClock) -> AsyncIterator[Driver]:
    config = make_config(db_url, tmp_path, roles={"comms": ["slack:UANNA"], "admin": []})
    application = App(config, clock=clock, adapters=[])
    # Each platform's adapter names itself (Capabilities.name); the fakes stand in for them.
    slack_port = FakeChatPort(capabilities_=dataclasses.replace(FULL, name="Slack"))
    teams_port = FakeChatPort(capabilities_=dataclasses.replace(FULL, name="Teams"))
    application.port.add("slack", slack_port)
    application.port.add("teams", teams_port)
    await application.start(serve_http=False)
    await application.outbox.stop()  # only drain() sends: what a test sees is settled
    try:
        yield Driver(application, slack_port, teams_port, clock)
    finally:
        await application.stop()


async def test_across_platforms_each_hears_on_their_own(two: Driver) -> None:
    rows = [PersonRow(None, f"s{i}@gemeente.nl", f"Slack Persoon {i}", {"slack": u.id})
            for i, u in enumerate(SLACKERS, 1)]
    rows += [PersonRow(None, f"t{i}@gemeente.nl", f"Teams Persoon {i}", {"teams": u.id})
             for i, u in enumerate(TEAMS, 1)]
    await two.app.store.repo(PeopleRepository).upsert(rows)
    await two.command('create "Koffie" --when "elke dinsdag 10:00" --rule locaties')
    for user in SLACKERS:
        await two.press(user, "verbinden.join", "1")
        await two.command("join 1 --locatie stadhuis", user=user)
    for user in TEAMS:
        await two.command("join 1 --locatie werf", user=user)
    await two.advance(timedelta(days=1, hours=2))
    for port, people, other in ((two.slack, SLACKERS, "Teams"), (two.teams, TEAMS, "Slack")):
        for user in people:
            intro = [t for t in port.texts_to(user.key) if "Deze keer spreek je af met" in t]
            assert len(intro) == 1, user
            # Across locations: the partner is on the other location, hence the other platform.
            assert "@gemeente.nl" in intro[0] and f", {other})" in intro[0]


async def test_unreachable_person_is_skipped_and_reported(two: Driver) -> None:
    await two.command('create "Koffie" --when "elke dinsdag 10:00"')
    for user in SLACKERS + TEAMS:
        await two.press(user, "verbinden.join", "1")
    gone = TEAMS[0]
    two.teams.fail[gone.key] = DeliveryError("user left the tenant", permanent=True)
    await two.advance(timedelta(days=1, hours=2))
    reached = [u for u in SLACKERS + TEAMS if u != gone]
    port_of = {"slack": two.slack, "teams": two.teams}
    for user in reached:
        assert any("Deze keer spreek je af met" in t
                   for t in port_of[user.platform].texts_to(user.key))
    report = [t for t in two.slack.texts_to(ANNA.key) if "ronde 1 is verstuurd" in t]
    assert report and "1 niet bereikbaar" in report[0] and gone.key in report[0]
    participant = await two.app.store.repo(VerbindenRepository).participant(1, gone.key)
    assert participant is not None and participant.unreachable
    await two.advance(timedelta(days=7))
    round_two = (await two.app.store.repo(VerbindenRepository).rounds(1))[1]
    assert round_two.participants == 5  # left out until they join again


async def test_a_retried_slot_forms_one_round_and_sends_once(two: Driver) -> None:
    await two.command('create "Koffie" --when "elke dinsdag 10:00"')
    for user in SLACKERS + TEAMS:
        await two.press(user, "verbinden.join", "1")
    payload = {"programme": 1, "_schedule": {"id": 99, "slot": "2026-11-24T09:00:00+00:00"}}
    for _ in range(2):  # the scheduler retries a job that failed or was interrupted
        await two.app.router.run_job("verbinden.round", payload, two.app.context())
        await two.app.outbox.drain()
    assert len(await two.app.store.repo(VerbindenRepository).rounds(1)) == 1
    for user in SLACKERS + TEAMS:
        port = two.slack if user.platform == "slack" else two.teams
        assert len([t for t in port.texts_to(user.key) if "spreek je af" in t]) == 1


async def test_create_by_form_and_bad_form_values_store_nothing(two: Driver) -> None:
    reply = await two.command("create")
    assert reply.form is not None and reply.form.form_id == "verbinden.create"
    assert {f.name for f in reply.form.fields} >= {"name", "when", "rule", "size"}
    values = {"name": "Ommetje", "when": "elke vrijdag 12:00", "rule": "location", "size": "7",
              "template": "ommetje", "team": "", "channel": "#algemeen"}
    bad = await two.app.handle(FormSubmission(ANNA, HERE, "verbinden.create", values))
    assert bad is not None and bad.message is not None
    assert "groepsgrootte `7` kan niet" in bad.message.markdown
    assert await two.app.store.repo(VerbindenRepository).programmes() == []
    good = await two.app.handle(FormSubmission(ANNA, HERE, "verbinden.create",
                                               values | {"size": "2"}))
    await two.app.outbox.drain()
    assert good is not None and good.message is not None
    assert "staat klaar" in good.message.markdown
    [programme] = await two.app.store.repo(VerbindenRepository).programmes()
    assert (programme.rule, programme.template) == ("location", "ommetje")
    announced = two.slack.texts_to("slack://T1/%23algemeen")
    assert announced and "ommetje" in announced[0]
    refused = await two.app.handle(FormSubmission(SLACKERS[0], HERE, "verbinden.create", values))
    assert refused is not None and refused.message is not None
    assert len(await two.app.store.repo(VerbindenRepository).programmes()) == 1

"""Verbinden on Teams, through the real Teams SDK and the fake Bot Connector: people join in
their 1:1 chat, each gets a proactive 1:1 introduction naming the other (Teams bots cannot
open group chats without Graph), then the follow-up card, whose answer is counted."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from storage.people import PeopleRepository, PersonRow
from storage.verbinden import VerbindenRepository
from tests.teams.conftest import ANNA, TeamsHarness
from tests.teams.fake_connector import Member

PEOPLE = [Member(f"29:v{i}", f"aad-v{i}", f"Verbinder {i}") for i in range(1, 5)]


@pytest.fixture
def harness_sections() -> dict[str, Any]:
    return {"roles": {"admin": [ANNA.key], "comms": [ANNA.key], "triage": [], "managers": {}}}


async def test_teams_round_intro_and_followup(teams: TeamsHarness) -> None:
    await teams.app.store.repo(PeopleRepository).upsert(
        [PersonRow(None, f"v{i}@gemeente.nl", p.name, {"teams": p.aad_object_id})
         for i, p in enumerate(PEOPLE, 1)])
    await teams.post(teams.activities.installed_in_team(members=[*PEOPLE, ANNA]))
    await teams.post(teams.activities.personal(
        'verbinden create "Koffie" --when "elke dinsdag 10:00"'))
    created = await teams.connector.wait_for(lambda c: any("staat klaar" in x.text for x in c))
    assert created
    for person in PEOPLE:
        await teams.post(teams.activities.personal("verbinden join 1", sender=person))
    await teams.settle()
    assert await teams.app.store.repo(VerbindenRepository).count(1) == 4
    teams.connector.clear()
    await teams.advance(timedelta(days=1, hours=2))
    # They wrote to the bot in their 1:1 chats, so the stored references are used.
    dm_of = {p.id: f"a:dm-{p.aad_object_id}" for p in PEOPLE}
    intros = {c.conversation_id: c.text for c in teams.connector.activities()
              if "Deze keer spreek je af met" in c.text}
    assert len(intros) == 4, intros
    for person in PEOPLE:
        text = intros[dm_of[person.id]]
        others = [p for p in PEOPLE if p is not person and p.name in text]
        assert len(others) == 1 and "@gemeente.nl" in text  # name and e-mail of the other

    teams.connector.clear()
    await teams.advance(timedelta(days=3))
    questions = {c.conversation_id: c for c in teams.connector.activities()
                 if "hebben jullie elkaar gesproken" in c.text}
    assert len(questions) == 4
    first = PEOPLE[0]
    card = questions[dm_of[first.id]].card
    assert card is not None
    yes = next(a for a in card["actions"] if a["title"] == "Ja")
    press = teams.activities.submit(yes["data"], card_id=questions[dm_of[first.id]].result_id,
                                    sender=first, personal=True)
    press["conversation"]["id"] = dm_of[first.id]
    await teams.post(press)
    await teams.settle()
    row = (await teams.app.store.repo(VerbindenRepository).rounds(1))[0]
    assert (row.met_yes, row.met_not_yet, row.met_no) == (1, 0, 0)

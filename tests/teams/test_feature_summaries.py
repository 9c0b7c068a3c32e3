"""Manager summaries on Teams: after a pulse round closes, a manager asks for the summary in
the 1:1 chat and gets a card (with the trend chart inline when small enough, else its text);
others are refused; the weekly summary arrives as a proactive 1:1 message."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.teams.conftest import ANNA, BRAM, MILA, TeamsHarness
from tests.teams.test_feature_pulse import CREATE, PEOPLE


@pytest.fixture
def harness_sections() -> dict[str, Any]:
    from tests.pulse.conftest import PULSE_KEY

    teams = {"zorg": {"members": [p.key for p in PEOPLE], "managers": [MILA.key]}}
    return {"roles": {"admin": [ANNA.key], "comms": [ANNA.key], "triage": [], "managers": {}},
            "pulse": {"key": PULSE_KEY, "teams": teams}}


async def _closed_round_with_answers(teams: TeamsHarness) -> None:
    await teams.post(teams.activities.installed_in_team(members=[*PEOPLE, MILA]))
    await teams.post(teams.activities.personal(CREATE.replace("pulse create", "pulse create --confirm", 1)))
    await teams.connector.wait_for(lambda c: len(c) >= 1)
    await teams.advance(timedelta(minutes=5))
    invites = {c.conversation_id: c for c in teams.connector.activities()
               if c.card and c.card.get("actions")}
    dm_of = {call.body["members"][0]["id"]: call.result_id for call in teams.connector.sent()
             if call.path == "/v3/conversations"}
    first = PEOPLE[0]
    invite = invites[dm_of[first.id]]
    assert invite.card is not None
    press = teams.activities.submit(invite.card["actions"][0]["data"], card_id=invite.result_id,
                                    sender=first, personal=True)
    press["conversation"]["id"] = invite.conversation_id
    teams.connector.clear()
    await teams.post(press)
    form = next(c for c in await teams.connector.wait_for(lambda c: any(x.card for x in c))
                if c.card)
    assert form.card is not None
    base = dict(form.card["actions"][0]["data"])
    for number, member in enumerate(PEOPLE):
        data = base | {"f_q0": str(1 + number % 5), "f_q1": "1", "f_q2": ""}
        submission = teams.activities.submit(data, card_id=form.result_id, sender=member,
                                             personal=True)
        submission["conversation"]["id"] = dm_of[member.id]
        await teams.post(submission)
    await teams.settle()
    await teams.advance(timedelta(days=2, hours=1))
    teams.connector.clear()


async def test_manager_gets_the_summary_card_others_are_refused(teams: TeamsHarness) -> None:
    await _closed_round_with_answers(teams)
    await teams.post(teams.activities.personal("summary zorg", sender=MILA))
    summary = (await teams.connector.wait_for(lambda c: len(c) >= 1))[0]
    assert summary.conversation_id == "a:dm-aad-mila"
    assert "zorg" in summary.text and "Deelname: 5 van 5" in summary.text, summary.text
    assert summary.card is not None
    images = [b for b in summary.card["body"] if b["type"] == "Image"]
    if images:  # a small chart inline, a large one as its text alternative
        assert images[0]["url"].startswith("data:image/png;base64,")
        assert images[0]["altText"]

    teams.connector.clear()
    await teams.post(teams.activities.personal("summary zorg", sender=BRAM))
    refused = (await teams.connector.wait_for(lambda c: len(c) >= 1))[0]
    assert "leidinggevende" in refused.text


async def test_weekly_summary_is_a_proactive_1to1_message(teams: TeamsHarness) -> None:
    await _closed_round_with_answers(teams)
    await teams.post(teams.activities.personal("summary weekly zorg on", sender=MILA))
    await teams.connector.wait_for(lambda c: len(c) >= 1)
    teams.connector.clear()
    await teams.advance(timedelta(days=5))  # to Monday 09:00 and past
    to_mila = [c for c in teams.connector.activities() if c.conversation_id == "a:dm-aad-mila"]
    assert to_mila and "Deelname: 5 van 5" in to_mila[0].text

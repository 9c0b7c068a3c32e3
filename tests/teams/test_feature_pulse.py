"""Pulse polls on Teams: invitations go out as proactive 1:1 messages to the team's members,
"answer" opens the questions as an Adaptive Card form in the 1:1 chat, the submission is
counted anonymously, and answering writes nothing Teams-specific (no new timestamp, no id)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from storage.pulse import PulseRepository
from tests.pulse.conftest import PULSE_KEY, all_rows
from tests.teams.conftest import ANNA, MILA, TeamsHarness
from tests.teams.fake_connector import Member

PEOPLE = [Member(f"29:z{i}", f"aad-z{i}", f"Zorg {i}") for i in range(1, 6)]
CREATE = ('pulse create "Week pulse" --team zorg --duration 2d --reminder off '
          '--q1 "likert: Ik kan mijn werk goed doen" '
          '--q2 "single: Werkdruk? | te laag | goed | te hoog" '
          '--q3 "text: Wat wil je nog kwijt?"')


@pytest.fixture
def harness_sections() -> dict[str, Any]:
    teams = {"zorg": {"members": [p.key for p in PEOPLE], "managers": [MILA.key]}}
    return {"roles": {"admin": [ANNA.key], "comms": [ANNA.key], "triage": [], "managers": {}},
            "pulse": {"key": PULSE_KEY, "teams": teams}}


async def test_invite_answer_by_card_and_anonymity(teams: TeamsHarness) -> None:
    await teams.post(teams.activities.installed_in_team(members=PEOPLE))
    await teams.post(teams.activities.personal(CREATE))
    created = (await teams.connector.wait_for(lambda c: len(c) >= 1))[0]
    assert "Week pulse" in created.text and "nog niets verstuurd" in created.text, created.text
    teams.connector.clear()
    await teams.advance(timedelta(minutes=5))
    assert teams.connector.activities() == []  # nothing goes out before the confirm
    assert created.card is not None
    confirm = next(a for a in created.card["actions"] if a["title"] == "Bevestigen")
    await teams.post(teams.activities.submit(confirm["data"], card_id=created.result_id,
                                             personal=True))
    await teams.connector.wait_for(lambda c: any("is gepland" in (x.text or "") for x in c))
    teams.connector.clear()
    await teams.advance(timedelta(minutes=5))
    invites = [c for c in teams.connector.activities() if c.card and c.card.get("actions")]
    dms = {c.conversation_id for c in invites}
    assert len(dms) == len(PEOPLE) and all(d.startswith("a:dm-") for d in dms)
    assert len([c for c in teams.connector.sent() if c.path == "/v3/conversations"]) == 5

    first = PEOPLE[0]
    invite = next(c for c in invites
                  if any(call.result_id == c.conversation_id and
                         call.body.get("members") == [{"id": first.id}]
                         for call in teams.connector.sent() if call.path == "/v3/conversations"))
    assert invite.card is not None
    start = invite.card["actions"][0]
    before = await all_rows(teams.app)

    teams.connector.clear()
    press = teams.activities.submit(start["data"], card_id=invite.result_id, sender=first,
                                    personal=True)
    press["conversation"]["id"] = invite.conversation_id
    await teams.post(press)
    calls = await teams.connector.wait_for(lambda c: any(x.card and _inputs(x) for x in c))
    form = next(c for c in calls if c.card and _inputs(c))
    assert form.conversation_id == invite.conversation_id
    assert _inputs(form) == ["f_q0", "f_q1", "f_q2"]
    assert form.card is not None
    likert = next(b for b in form.card["body"] if b.get("id") == "f_q0")
    single = next(b for b in form.card["body"] if b.get("id") == "f_q1")
    data = dict(form.card["actions"][0]["data"])
    data |= {"f_q0": likert["choices"][3]["value"], "f_q1": single["choices"][1]["value"],
             "f_q2": "Meer rust op de afdeling"}
    teams.connector.clear()
    submission = teams.activities.submit(data, card_id=form.result_id, sender=first,
                                         personal=True)
    submission["conversation"]["id"] = invite.conversation_id
    await teams.post(submission)
    thanks = (await teams.connector.wait_for(lambda c: len(c) >= 1))[0]
    assert "anoniem" in thanks.text.lower(), thanks.text

    repo = teams.app.store.repo(PulseRepository)
    answers = await repo.answers(1)
    assert sorted(a.question for a in answers) == [0, 1]
    assert len(await repo.comments(1)) == 1
    after = await all_rows(teams.app)
    changed = {t for t in after if after[t] != before.get(t)}
    assert changed <= {"pulse_answer", "pulse_comment"}, changed  # nothing Teams-specific
    dump = json.dumps({t: after[t] for t in ("pulse_answer", "pulse_comment")}, default=str)
    for marker in (first.id, first.aad_object_id, invite.conversation_id, submission["id"]):
        assert marker not in dump


def _inputs(call: Any) -> list[str]:
    card = call.card or {}
    return [b["id"] for b in card.get("body", []) if str(b.get("type", "")).startswith("Input.")]

"""The anonymity audit on the Teams path (the checks of tests/security/test_anonymity_audit.py):
several people answer an anonymous pulse and send anonymous signals with Adaptive Card forms
in their 1:1 chats. Afterwards no row their actions added or changed, no log line and no metric
holds their Entra or Teams ids, names, 1:1 conversation ids or the ids of their activities."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from prometheus_client import generate_latest

from commands.signals.keys import new_key
from tests.pulse.conftest import PULSE_KEY, all_rows
from tests.security.test_anonymity_audit import _changes, assert_no_trace, log_lines
from tests.teams.conftest import ANNA, MILA, TeamsHarness
from tests.teams.fake_connector import Call, Member

PEOPLE = [Member(f"29:qz{i}", f"aad-qz-{i}", f"Quinty{i} Qadir") for i in range(1, 6)]
SECRETS = {"relay_key": new_key(), "hmac_secret": new_key()}

__all__ = ["log_lines"]  # the fixture, shared with the security audit


@pytest.fixture
def harness_sections() -> dict[str, Any]:
    teams = {"zorg": {"members": [p.key for p in PEOPLE], "managers": [MILA.key]}}
    return {"roles": {"admin": [ANNA.key], "comms": [ANNA.key], "triage": [], "managers": {}},
            "pulse": {"key": PULSE_KEY, "teams": teams},
            "signals": {**SECRETS, "allow_demo_keys": False}}


def _form(calls: list[Call]) -> Call:
    return next(c for c in reversed(calls)
                if c.card and any(str(b.get("type", "")).startswith("Input.")
                                  for b in c.card.get("body", [])))


async def test_teams_pulse_and_signals_leave_no_trace(teams: TeamsHarness,
                                                      log_lines: io.StringIO) -> None:
    await teams.post(teams.activities.installed_in_team(members=PEOPLE))
    await teams.post(teams.activities.personal(
        'pulse create --confirm "Week pulse" --team zorg --duration 2d --reminder off '
        '--q1 "single: Werkdruk? | te laag | goed | te hoog"'))
    await teams.connector.wait_for(lambda c: len(c) >= 1)
    await teams.advance(timedelta(minutes=5))
    dm_of = {c.body["members"][0]["id"]: c.result_id for c in teams.connector.sent()
             if c.path == "/v3/conversations"}
    invites = {c.conversation_id: c for c in teams.connector.activities()
               if c.card and c.card.get("actions")}
    before = await all_rows(teams.app)
    log_lines.seek(0)
    log_lines.truncate(0)
    activity_ids: list[str] = []
    for n, person in enumerate(PEOPLE):
        dm = dm_of[person.id]
        invite = invites[dm]
        assert invite.card is not None
        teams.connector.clear()
        press = teams.activities.submit(invite.card["actions"][0]["data"],
                                        card_id=invite.result_id, sender=person, personal=True)
        press["conversation"]["id"] = dm
        await teams.post(press)
        form = _form(await teams.connector.wait_for(lambda c: any(x.card for x in c)))
        assert form.card is not None
        choice = next(b for b in form.card["body"] if b.get("id") == "f_q0")["choices"][n % 3]
        answer = teams.activities.submit(form.card["actions"][0]["data"] |
                                         {"f_q0": choice["value"]},
                                         card_id=form.result_id, sender=person, personal=True)
        answer["conversation"]["id"] = dm
        await teams.post(answer)
        await teams.connector.wait_for(lambda c: len(c) >= 2)

        teams.connector.clear()
        command = teams.activities.personal("signaal", sender=person)
        command["conversation"]["id"] = dm
        await teams.post(command)
        signal_form = _form(await teams.connector.wait_for(lambda c: any(x.card for x in c)))
        assert signal_form.card is not None
        values = {"f_text": "De roosters komen steeds te laat.", "f_relay": "true",
                  "f_category": "", "f_team": ""}
        signal = teams.activities.submit(signal_form.card["actions"][0]["data"] | values,
                                         card_id=signal_form.result_id, sender=person,
                                         personal=True)
        signal["conversation"]["id"] = dm
        await teams.post(signal)
        sent = await teams.connector.wait_for(lambda c: len(c) >= 2)
        assert "Verstuurd, anoniem" in sent[-1].text, sent[-1].text
        activity_ids += [press["id"], answer["id"], command["id"], signal["id"]]
    await teams.settle_outbox()

    changes = _changes(before, await all_rows(teams.app))
    assert {"pulse_answer", "signal_case"} <= set(changes), set(changes)
    markers = [p.id for p in PEOPLE] + [p.aad_object_id for p in PEOPLE]
    markers += [p.name for p in PEOPLE] + [dm_of[p.id] for p in PEOPLE] + activity_ids
    assert_no_trace(changes, log_lines.getvalue(),
                    generate_latest(teams.app.metrics.registry).decode(), markers)

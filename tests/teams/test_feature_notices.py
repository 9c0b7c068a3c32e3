"""Work-system notifications to Teams: a signed webhook for a person whose directory entry
names their Teams id becomes a proactive 1:1 message; a replay is not sent twice. And the
organisation's teams (``team ...``) managed from a Teams 1:1 chat."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pytest

from tests.teams.conftest import ANNA, TeamsHarness

SECRET = "topdesk-secret-teams"
SOURCES: dict[str, Any] = {
    "topdesk": {
        "secret_env": "TEST_TEAMS_TOPDESK_SECRET", "person_field": "caller.email",
        "event_id_field": "id", "label": "incident", "label_plural": "incidenten",
        "template": "**Incident {{ number }}**: {{ status }}\n{{ brief }}",
    },
}
INCIDENT = {"id": "I-7", "number": "I 2611 007", "status": "opgelost",
            "brief": "Printer werkt weer", "caller": {"email": "anna@gemeente.example"}}


@pytest.fixture(autouse=True)
def _secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEST_TEAMS_TOPDESK_SECRET", SECRET)


@pytest.fixture
def harness_sections() -> dict[str, Any]:
    return {"hooks": {"sources": SOURCES},
            "roles": {"admin": [ANNA.key], "comms": [], "triage": [], "managers": {}}}


async def _post(teams: TeamsHarness, payload: dict[str, Any]) -> httpx.Response:
    from bots.webhooks import sign

    body = json.dumps(payload).encode()
    stamp = int(time.time())
    headers = {"X-Hartslag-Timestamp": str(stamp),
               "X-Hartslag-Signature": sign(SECRET, stamp, body),
               "Content-Type": "application/json"}
    return await teams.http.post(f"{teams.url}/hooks/topdesk", content=body, headers=headers)


async def test_webhook_reaches_a_teams_user_as_a_1to1_message(teams: TeamsHarness) -> None:
    from storage.people import PeopleRepository, PersonRow

    await teams.post(teams.activities.installed_personal())  # the app is installed for Anna
    await teams.app.store.repo(PeopleRepository).upsert([
        PersonRow("E300", "anna@gemeente.example", "Anna", {"teams": ANNA.aad_object_id})])
    first = await _post(teams, INCIDENT)
    again = await _post(teams, INCIDENT)
    assert first.status_code == 202 and again.status_code == 200
    await teams.settle_outbox()
    posts = teams.connector.activities()
    assert len(posts) == 1 and posts[0].conversation_id == "a:dm-aad-anna"
    assert "Incident I 2611 007" in posts[0].text and "opgelost" in posts[0].text


async def test_admin_manages_org_teams_from_teams(teams: TeamsHarness) -> None:
    """``team add/member/list`` (the org feature) in the 1:1 chat, people as teams:<id>."""
    from tests.teams.conftest import BRAM

    await teams.post(teams.activities.personal("team add zorg"))
    await teams.connector.wait_for(lambda c: len(c) >= 1)
    await teams.post(teams.activities.personal(f"team member add zorg {BRAM.key}"))
    await teams.connector.wait_for(lambda c: len(c) >= 2)
    teams.connector.clear()
    await teams.post(teams.activities.personal("team list"))
    listing = (await teams.connector.wait_for(lambda c: len(c) >= 1))[0]
    assert "zorg" in listing.text and "1 lid" in listing.text, listing.text
    teams.connector.clear()
    await teams.post(teams.activities.personal("team list", sender=BRAM))
    refused = (await teams.connector.wait_for(lambda c: len(c) >= 1))[0]
    assert "beheerder" in refused.text

"""Work-system notices to Slack: a webhook names a person by e-mail, the Slack port finds them
with users.lookupByEmail, and the notice arrives as a DM through the outbox."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from storage.people import PeopleRepository
from tests.slack.conftest import SlackHarness

TOKEN = "coda-token-456"


@pytest.fixture(autouse=True)
def _token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEST_CODA_TOKEN", TOKEN)


@pytest.fixture
def slack_sections() -> dict[str, Any]:
    coda = {"token_env": "TEST_CODA_TOKEN", "person_field": "approver",
            "label": "factuur ter goedkeuring", "label_plural": "facturen ter goedkeuring",
            "template": "Factuur {{ invoice }} van {{ supplier }} wacht op je goedkeuring."}
    return {"hooks": {"sources": {"coda": coda}}}


async def test_a_person_found_by_email_gets_the_notice_as_a_dm(slack: SlackHarness) -> None:
    slack.fake.add_user("U0SARA", "Sara", email="sara@gemeente.example")
    assert slack.app.server is not None
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{slack.app.server.port}") as client:
        response = await client.post(
            "/hooks/coda", json={"invoice": "F-2", "supplier": "Bouw <BV>",
                                 "approver": "sara@gemeente.example"},
            headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 202, response.text
    await slack.settle_outbox()
    assert slack.fake.called("users.lookupByEmail")
    posts = slack.posts("D0SARA")
    assert len(posts) == 1
    assert posts[0].args["text"] == "Factuur F-2 van Bouw &lt;BV&gt; wacht op je goedkeuring."
    sara = await slack.app.store.repo(PeopleRepository).find("sara@gemeente.example")
    assert sara is not None and sara.slack == "U0SARA"

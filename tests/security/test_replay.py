"""Replay: a captured, validly signed Slack request sent again. Within the five-minute window
an event is handled once (its id is claimed durably); later its timestamp is refused (401).
Bad signatures and stale timestamps: tests/slack/test_http.py; Teams tokens:
tests/teams/test_auth.py; Matrix allow-lists: tests/matrix."""

from __future__ import annotations

import time

import httpx

from tests.slack.conftest import AppFactory, Demo, SlackSender, slack_adapter
from tests.slack.fake_slack import FakeSlack
from tests.slack.signed import dm, event, sign


async def test_a_replayed_event_is_handled_once_and_a_late_replay_is_refused(
    make_slack_app: AppFactory, fake_slack: FakeSlack, demo: Demo
) -> None:
    app = await make_slack_app.start()
    url = SlackSender(app).url
    body = event(dm("echo vertrouwelijk"), event_id="EvReplay1")
    captured = sign(body, content_type="application/json")
    async with httpx.AsyncClient(timeout=10) as client:
        first = await client.post(url, content=body, headers=captured)
        again = await client.post(url, content=body, headers=captured)  # no retry header
        late = await client.post(url, content=body, headers=sign(
            body, content_type="application/json", timestamp=int(time.time()) - 301))
    assert (first.status_code, again.status_code, late.status_code) == (200, 200, 401)
    await slack_adapter(app).drain()
    assert len(demo.seen) == 1
    assert len(fake_slack.called("chat.postMessage")) == 1

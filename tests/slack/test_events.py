"""Events over HTTP: DMs and mentions, and the retry/dedupe rule (durable, crash-safe)."""

from __future__ import annotations

from typing import Any

import pytest

from bots.app import App
from commands.model import InboundMessage
from tests.slack.conftest import AppFactory, Demo, SlackSender, slack_adapter
from tests.slack.fake_slack import FakeSlack
from tests.slack.signed import dm, event, mention


async def test_dm_is_answered_in_the_dm(slack_app: App, fake_slack: FakeSlack, demo: Demo) -> None:
    sender = SlackSender(slack_app)
    response = await sender.post(event(dm("echo hallo"), event_id="Ev1"), json_body=True)
    assert response.status_code == 200
    posts = await fake_slack.wait_for("chat.postMessage")
    assert posts[0].args["channel"] == "D0ANNA"
    assert posts[0].args["text"] == "re: echo hallo"
    request = demo.seen[0]
    assert isinstance(request, InboundMessage)
    assert request.is_direct and request.user.key == "slack:U0ANNA"


async def test_mention_is_answered_privately_in_its_thread(
    slack_app: App, fake_slack: FakeSlack, demo: Demo
) -> None:
    sender = SlackSender(slack_app)
    await sender.post(event(mention("echo vraag", ts="1700.5"), event_id="Ev2"), json_body=True)
    calls = await fake_slack.wait_for("chat.postEphemeral")
    assert calls[0].args["channel"] == "C0ALG"
    assert calls[0].args["user"] == "U0ANNA"
    assert calls[0].args["thread_ts"] == "1700.5"
    request = demo.seen[0]
    assert isinstance(request, InboundMessage)
    assert request.mentioned and request.text == "echo vraag"


async def test_bot_messages_and_edits_are_ignored(
    slack_app: App, fake_slack: FakeSlack, demo: Demo
) -> None:
    sender = SlackSender(slack_app)
    bot = {**dm("echo van een bot"), "bot_id": "B0OTHER"}
    edit = {**dm("echo bewerkt"), "subtype": "message_changed"}
    assert (await sender.post(event(bot, event_id="Ev3"), json_body=True)).status_code == 200
    assert (await sender.post(event(edit, event_id="Ev4"), json_body=True)).status_code == 200
    await slack_adapter(slack_app).drain()
    assert demo.seen == []


async def test_a_normal_retry_is_not_processed_twice(
    make_slack_app: AppFactory, fake_slack: FakeSlack, demo: Demo
) -> None:
    app = await make_slack_app.start()
    sender = SlackSender(app)
    body = event(dm("echo een keer"), event_id="Ev10")
    await sender.post(body, json_body=True)
    await fake_slack.wait_for("chat.postMessage")
    for attempt in (1, 2):
        assert (await sender.post(body, json_body=True, retry=attempt)).status_code == 200
    await slack_adapter(app).drain()
    assert len(demo.seen) == 1
    assert len(fake_slack.called("chat.postMessage")) == 1

    # The claim is durable: after a restart the retry is still recognised.
    await make_slack_app.stop(app)
    restarted = await make_slack_app.start()
    await SlackSender(restarted).post(body, json_body=True, retry=3)
    await slack_adapter(restarted).drain()
    assert len(demo.seen) == 1
    assert len(fake_slack.called("chat.postMessage")) == 1


async def test_a_retry_after_a_crash_before_the_ack_is_processed_once(
    make_slack_app: AppFactory, fake_slack: FakeSlack, demo: Demo,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    crashing = await make_slack_app.start()
    adapter = slack_adapter(crashing)
    dispatch = adapter.bolt.async_dispatch

    async def dies_before_answering(request: Any) -> Any:
        await dispatch(request)  # bolt dispatched the event ...
        raise ConnectionResetError("process died")  # ... but the ack never left

    monkeypatch.setattr(adapter.bolt, "async_dispatch", dies_before_answering)
    body = event(dm("echo na een crash"), event_id="Ev20")
    first = await SlackSender(crashing).post(body, json_body=True)
    assert first.status_code == 500  # what Slack sees: no ack, so it retries
    adapter.shutdown_grace = 0  # a crash: no time to finish
    await make_slack_app.stop(crashing)
    assert demo.seen == []

    restarted = await make_slack_app.start()
    sender = SlackSender(restarted)
    assert (await sender.post(body, json_body=True, retry=1)).status_code == 200
    await fake_slack.wait_for("chat.postMessage")
    assert (await sender.post(body, json_body=True, retry=2)).status_code == 200
    await slack_adapter(restarted).drain()
    assert len(demo.seen) == 1
    assert len(fake_slack.called("chat.postMessage")) == 1


async def test_work_cut_off_mid_processing_releases_the_claim(
    make_slack_app: AppFactory, fake_slack: FakeSlack, demo: Demo
) -> None:
    demo.holding = True
    first = await make_slack_app.start()
    body = event(dm("echo hang"), event_id="Ev30")
    assert (await SlackSender(first).post(body, json_body=True)).status_code == 200
    for _ in range(200):  # until the feature is busy (bounded)
        if demo.seen:
            break
        await slack_adapter(first).drain(within=0.05)
    assert demo.seen
    slack_adapter(first).shutdown_grace = 0  # a crash: no time to finish
    await make_slack_app.stop(first)  # cancels the work in flight
    assert fake_slack.called("chat.postMessage") == []

    demo.holding = False
    second = await make_slack_app.start()
    await SlackSender(second).post(body, json_body=True, retry=1)
    await fake_slack.wait_for("chat.postMessage")
    await slack_adapter(second).drain()
    assert len(fake_slack.called("chat.postMessage")) == 1

"""Button presses over HTTP without bolt's dispatch (bots/slack/adapter.py ``_press``), and
the response_url answers on the shared session (bots/slack/replies.py ``post_json``): the
same signature check, the same ack after the handler, the same retries."""

from __future__ import annotations

import dataclasses
import json
import logging
import time
from typing import Any

import pytest

from bots.app import App
from bots.slack.replies import ReplyDeliverer
from bots.slack.translate import Origin
from commands.model import OutgoingMessage, Reply
from tests.slack.conftest import Demo, SlackSender, slack_adapter
from tests.slack.fake_slack import FakeSlack
from tests.slack.signed import block_actions, block_actions_payload, slash_command


async def test_a_press_is_handled_without_bolt_and_a_command_still_with_it(
        slack_app: App, fake_slack: FakeSlack, demo: Demo,
        monkeypatch: pytest.MonkeyPatch) -> None:
    adapter = slack_adapter(slack_app)
    dispatched: list[Any] = []
    original = adapter.bolt.async_dispatch

    async def counting(request: Any) -> Any:
        dispatched.append(request.body.get("type") or request.body.get("command"))
        return await original(request)

    monkeypatch.setattr(adapter.bolt, "async_dispatch", counting)
    sender = SlackSender(slack_app)
    press = block_actions("demo.vote", "2", response_url=fake_slack.response_url())
    response = await sender.post(press)
    assert response.status_code == 200 and response.text == ""
    assert [r.value for r in demo.seen] == ["2"]  # handled before the ack (the vote promise)
    await fake_slack.wait_for("chat.update")
    command = await sender.post(slash_command("demo", response_url=fake_slack.response_url()))
    assert command.status_code == 200
    assert dispatched == ["/hartslag"]


@pytest.mark.parametrize("signing", [
    {"secret": "not-the-secret"},
    {"timestamp": int(time.time()) - 6 * 60},
    {"headers": {"X-Slack-Request-Timestamp": "soon"}},
    {"headers": {"X-Slack-Signature": ""}},
    {"headers": {"X-Slack-Signature": ("v0=" + "é" * 64).encode("latin-1")}},
], ids=["wrong secret", "too old", "no number", "no signature", "not ascii"])
async def test_an_unverified_press_is_401_without_side_effects(
        slack_app: App, fake_slack: FakeSlack, demo: Demo, signing: dict[str, Any]) -> None:
    before = len(fake_slack.calls)
    press = block_actions("demo.vote", "1", response_url=fake_slack.response_url())
    response = await SlackSender(slack_app).post(press, **signing)
    assert response.status_code == 401
    assert response.json() == {"error": "invalid request"}  # bolt's answer
    await slack_adapter(slack_app).drain()
    assert demo.seen == []
    assert len(fake_slack.calls) == before and fake_slack.responses == []


async def test_a_press_translate_cannot_read_goes_to_bolt_and_is_not_handled(
        slack_app: App, fake_slack: FakeSlack, demo: Demo,
        caplog: pytest.LogCaptureFixture) -> None:
    payload = block_actions_payload("demo.vote", "1") | {"channel": "C0ALG", "container": []}
    body = "payload=" + json.dumps(payload)
    with caplog.at_level(logging.INFO, logger="hartslag.slack"):
        response = await SlackSender(slack_app).post(body)
        await slack_adapter(slack_app).drain()
    assert response.status_code in (200, 500)
    assert demo.seen == []
    assert [r.getMessage() for r in caplog.records if r.name == "hartslag.slack"] == [
        "slack listener failed"]
    again = await SlackSender(slack_app).post(
        block_actions("demo.vote", "3", response_url=fake_slack.response_url()))
    assert again.status_code == 200 and [r.value for r in demo.seen] == ["3"]


async def test_a_rate_limited_response_url_is_tried_again_after_retry_after(
        slack_app: App, fake_slack: FakeSlack) -> None:
    fake_slack.rate_limit("response_url", retry_after=1)
    press = block_actions("demo.vote", "2", response_url=fake_slack.response_url("r7"))
    fake_slack.fail("chat.update", "cant_update_message")  # the answer goes to the hook
    assert (await SlackSender(slack_app).post(press)).status_code == 200
    await fake_slack.wait_for_response(within=10)
    assert fake_slack.response_attempts == 2
    assert fake_slack.responses[0][0] == "r7"
    assert "Gestemd: 2" in fake_slack.responses[0][1]["text"]


async def test_a_response_url_that_keeps_failing_is_logged_by_status_only(
        slack_app: App, fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture) -> None:
    replies = ReplyDeliverer(slack_adapter(slack_app).port)
    fake_slack.fail("response_url", "", status=404, times=5)
    origin = Origin("T0HART", "C0ALG", "U0ANNA", response_url=fake_slack.response_url())
    with caplog.at_level(logging.WARNING, logger="hartslag.slack"):
        await replies.deliver(Reply(OutgoingMessage("Geheim antwoord")), origin)
    await replies.close()
    warnings = [r for r in caplog.records if r.name == "hartslag.slack"]
    assert [(r.getMessage(), getattr(r, "reason", None)) for r in warnings] == [
        ("slack reply not delivered", "slack response_url: http_404")]
    assert "Geheim" not in caplog.text
    assert fake_slack.response_attempts == 1  # a 404 is not retried


async def test_an_unreachable_response_url_is_a_delivery_error(
        slack_app: App, caplog: pytest.LogCaptureFixture) -> None:
    replies = ReplyDeliverer(slack_adapter(slack_app).port)
    origin = Origin("T0HART", "C0ALG", "U0ANNA", response_url="http://127.0.0.1:9/respond/x")
    with caplog.at_level(logging.WARNING, logger="hartslag.slack"):
        await replies.deliver(Reply(OutgoingMessage("x")), origin)
    await replies.close()
    reasons = [getattr(r, "reason", None) for r in caplog.records if r.name == "hartslag.slack"]
    assert reasons == ["slack response_url: ClientConnectorError"]


async def test_one_message_answered_two_ways_keeps_each_way(
        slack_app: App, fake_slack: FakeSlack) -> None:
    """Rendered bodies are reused per message: what differs between two answers of the same
    message (ephemeral or in the channel) must still differ."""
    replies = ReplyDeliverer(slack_adapter(slack_app).port)
    message = OutgoingMessage("Bedankt voor je **antwoord**")
    origin = Origin("T0HART", "C0ALG", "U0ANNA", response_url=fake_slack.response_url("a"))
    for hook, private in (("a", True), ("b", False), ("c", True)):
        await replies.deliver(Reply(message, private=private), dataclasses.replace(
            origin, response_url=fake_slack.response_url(hook)))
    await replies.deliver(Reply(OutgoingMessage("Iets anders")), dataclasses.replace(
        origin, response_url=fake_slack.response_url("d")))
    await replies.close()
    bodies = dict(fake_slack.responses)
    assert [bodies[h]["response_type"] for h in "abcd"] == [
        "ephemeral", "in_channel", "ephemeral", "ephemeral"]
    assert bodies["a"] == bodies["c"] and bodies["a"]["text"] == "Bedankt voor je *antwoord*"
    assert bodies["d"]["text"] == "Iets anders"
    assert all(bodies[h]["replace_original"] is False for h in "abcd")

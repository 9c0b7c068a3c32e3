"""Socket Mode: bolt's aiohttp handler against a local websocket (hello, envelopes, acks)."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import parse_qsl

import pytest

from tests.slack.conftest import AppFactory, Demo, slack_adapter
from tests.slack.fake_slack import FakeSlack
from tests.slack.signed import block_actions_payload, dm, event_payload, slash_command


async def test_socket_mode_round_trip(
    make_slack_app: AppFactory, fake_slack: FakeSlack, demo: Demo
) -> None:
    app = await make_slack_app.start(socket_mode=True, app_token="xapp-test", signing_secret="")
    adapter = slack_adapter(app)
    assert adapter.routes() == []
    await fake_slack.wait_socket()
    opened = fake_slack.called("apps.connections.open")
    assert opened and opened[0].token == "xapp-test"

    # A slash command: acked on the socket, answered through the response_url.
    command = dict(parse_qsl(slash_command("help", response_url=fake_slack.response_url())))
    envelope = await fake_slack.push_envelope("slash_commands", command)
    ack = await fake_slack.wait_ack(envelope)
    assert ack["envelope_id"] == envelope
    await fake_slack.wait_for_response()
    assert "wat je hier kunt doen" in fake_slack.responses[0][1]["text"]

    # An event, then Slack's redelivery of the same event: processed once.
    payload = event_payload(dm("echo via socket"), event_id="EvS1")
    await fake_slack.wait_ack(await fake_slack.push_envelope("events_api", payload))
    await fake_slack.wait_for("chat.postMessage")
    redelivered = await fake_slack.push_envelope("events_api", payload, retry_attempt=1)
    await fake_slack.wait_ack(redelivered)
    await adapter.drain()
    assert len(fake_slack.called("chat.postMessage")) == 1

    # A button press.
    press = block_actions_payload("demo.vote", "1", message_ts="1700000000.000009")
    await fake_slack.wait_ack(await fake_slack.push_envelope("interactive", press))
    update = await fake_slack.wait_for("chat.update")
    assert update[0].args["ts"] == "1700000000.000009"
    assert adapter.health() is None

    await make_slack_app.stop(app)
    assert adapter.health() is not None


async def test_socket_mode_event_whose_ack_never_left_is_processed_on_redelivery(
    make_slack_app: AppFactory, fake_slack: FakeSlack, demo: Demo,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import bots.slack.workarounds as slack_module

    real_send = slack_module.send_async_response
    lost: list[str] = []

    async def first_ack_lost(client: Any, req: Any, response: Any, start: float) -> None:
        if not lost:
            lost.append(req.envelope_id)
            raise ConnectionResetError("socket dropped before the ack")
        await real_send(client, req, response, start)

    monkeypatch.setattr(slack_module, "send_async_response", first_ack_lost)
    app = await make_slack_app.start(socket_mode=True, app_token="xapp-test", signing_secret="")
    adapter = slack_adapter(app)
    await fake_slack.wait_socket()
    payload = event_payload(dm("echo kwijt"), event_id="EvS2")
    await fake_slack.push_envelope("events_api", payload)
    for _ in range(100):  # bounded: until the first delivery was dispatched (ack lost)
        if lost:
            break
        await asyncio.sleep(0.01)
    await adapter.drain(within=0.2)
    assert demo.seen == []  # no ack left, so no work (Slack will redeliver)

    redelivered = await fake_slack.push_envelope("events_api", payload, retry_attempt=1)
    await fake_slack.wait_ack(redelivered)
    await fake_slack.wait_for("chat.postMessage")
    assert len(demo.seen) == 1
    adapter.shutdown_grace = 0  # the lost delivery's work still waits for its ack: drop it

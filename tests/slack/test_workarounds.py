"""bots/slack/workarounds.py against the installed slack-bolt: the internals each workaround
uses still exist, and each still takes effect. A failure here after upgrading slack-bolt
means a workaround broke: read its docstring before raising the bound in pyproject.toml."""

from __future__ import annotations

import inspect
import logging
from typing import Any

from slack_bolt.adapter.socket_mode import async_internals
from slack_bolt.async_app import AsyncApp, AsyncBoltRequest
from slack_bolt.middleware.authorization.async_single_team_authorization import (
    AsyncSingleTeamAuthorization,
)
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from bots.slack import workarounds
from bots.slack.gate import CURRENT_GATE, AckGate
from tests.slack.fake_slack import FakeSlack
from tests.slack.signed import SECRET, TEAM, block_actions, sign, slash_command
from tests.support.bounds import bound_problems


def test_the_sdks_are_bounded_to_the_versions_the_workarounds_were_checked_on() -> None:
    assert bound_problems(workarounds.CHECKED) == []


def local_client(slack: FakeSlack) -> AsyncWebClient:
    """Web API calls go to the local fake Slack, which records them."""
    return AsyncWebClient(token="xoxb-test", base_url=slack.base_url)


def answer(client: AsyncWebClient) -> AsyncSlackResponse:
    data = {"ok": True, "team_id": TEAM, "user_id": "U0BOT", "bot_id": "B0BOT"}
    return AsyncSlackResponse(client=client, http_verb="POST", api_url="auth.test",
                              req_args={}, data=data, headers={}, status_code=200)


def bolt_app(client: AsyncWebClient) -> AsyncApp:
    app = AsyncApp(client=client, signing_secret=SECRET, process_before_response=True)

    @app.action("x")
    async def on_action(ack: Any) -> None:
        await ack()

    return app


async def press(app: AsyncApp) -> int:
    body = block_actions("x", "1")
    request = workarounds.bolt_request(body.encode(), query={}, headers=sign(body))
    return (await app.async_dispatch(request)).status


def test_bolt_still_keeps_its_middlewares_where_the_seed_looks() -> None:
    app = bolt_app(AsyncWebClient(token="xoxb-test", base_url="http://127.0.0.1:9/"))
    middlewares = app._async_middleware_list  # the private list the workaround walks
    found = [m for m in middlewares if isinstance(m, AsyncSingleTeamAuthorization)]
    assert len(found) == 1 and hasattr(found[0], "auth_test_result")


async def test_seeded_authorization_spares_auth_test_on_early_requests(
        fake_slack: FakeSlack) -> None:
    client = local_client(fake_slack)
    app = bolt_app(client)
    assert workarounds.seed_authorization(app, answer(client)) == 1
    assert [await press(app) for _ in range(3)] == [200, 200, 200]
    assert fake_slack.called("auth.test") == []


async def test_without_the_seed_bolt_calls_auth_test(fake_slack: FakeSlack) -> None:
    """The control: what the seed saves (so the test above can fail)."""
    app = bolt_app(local_client(fake_slack))
    assert await press(app) == 200
    assert len(fake_slack.called("auth.test")) == 1


def _state(request: AsyncBoltRequest) -> dict[str, Any]:
    found = {k: v for k, v in vars(request).items() if k != "context"}
    return found | {"context": dict(request.context)}


def test_the_native_request_is_the_one_bolt_builds() -> None:
    """Attribute by attribute, so a new attribute bolt derives from the body shows up here."""
    for body in (block_actions("pulse.vote", "1|0|4"), slash_command("help"),
                 '{"type": "event_callback", "team_id": "T0HART", "event": {"text": "a+b"}}'):
        kind = "application/json" if body.startswith("{") else "application/x-www-form-urlencoded"
        headers: dict[str, Any] = sign(body, content_type=kind)
        ours = workarounds.bolt_request(body.encode(), query={"a": "1"}, headers=headers)
        bolts = AsyncBoltRequest(body=body, query={"a": "1"}, headers=headers)
        assert _state(ours) == _state(bolts)
        assert ours.context.team_id == TEAM


def test_socket_mode_internals_keep_their_signatures() -> None:
    run = inspect.signature(async_internals.run_async_bolt_app)
    send = inspect.signature(async_internals.send_async_response)
    assert list(run.parameters) == ["app", "req"]
    assert list(send.parameters) == ["client", "req", "bolt_resp", "start_time"]


class FakeSocketClient:
    logger = logging.getLogger("tests.slack.socket")

    def __init__(self, gate: list[AckGate]) -> None:
        self.sent: list[tuple[str, bool]] = []
        self._gate = gate

    async def send_socket_mode_response(self, response: Any) -> None:
        # The gate must still be closed while the ack is on its way.
        self.sent.append((response.envelope_id, self._gate[0]._sent.is_set()))


async def test_the_gated_handler_acks_then_opens_the_gate() -> None:
    client = AsyncWebClient(token="xoxb-test", base_url="http://127.0.0.1:9/")
    app = AsyncApp(client=client, signing_secret=SECRET, process_before_response=True,
                   request_verification_enabled=False)
    workarounds.seed_authorization(app, answer(client))
    gates: list[AckGate] = []

    @app.command("/hartslag")
    async def on_command(ack: Any) -> None:
        gate = CURRENT_GATE.get()
        assert gate is not None
        gates.append(gate)
        await ack()

    handler = workarounds.GatedSocketModeHandler(app, "xapp-test")
    socket = FakeSocketClient(gates)
    payload = {"command": "/hartslag", "text": "help", "team_id": TEAM, "user_id": "U0ANNA",
               "channel_id": "C0ALG"}
    request = SocketModeRequest(type="slash_commands", envelope_id="env-1", payload=payload)
    try:
        await handler.handle(socket, request)  # type: ignore[arg-type]
    finally:
        await handler.close_async()
    assert socket.sent == [("env-1", False)]
    assert gates and gates[0]._sent.is_set()

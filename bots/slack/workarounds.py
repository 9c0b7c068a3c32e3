"""Where the Slack adapter reaches into slack-bolt's internals.

Each function says why, the bolt version it was checked on and what breaks without it.
``tests/slack/test_workarounds.py`` checks against the installed bolt that the attributes and
internal functions they use still exist and that each still takes effect; ``pyproject.toml``
bounds slack-bolt to the versions checked.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.adapter.socket_mode.async_internals import run_async_bolt_app, send_async_response
from slack_bolt.async_app import AsyncApp, AsyncBoltRequest
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.middleware.authorization.async_single_team_authorization import (
    AsyncSingleTeamAuthorization,
)
from slack_bolt.request.async_internals import build_async_context
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest

from bots.slack.form import parse_body
from bots.slack.gate import CURRENT_GATE, AckGate

CHECKED = {"slack-bolt": "1.30.0"}


def seed_authorization(app: AsyncApp, auth_test: Any) -> int:
    """Give bolt's single-team authorization the ``auth.test`` answer we already have;
    returns how many middlewares took it (1 with a bot token).

    Why: bolt calls auth.test on the first request and caches the answer in the middleware,
    but every request that arrives before that first answer calls it too: a burst of button
    presses right after a (re)start sent one auth.test per press. bolt has no option to pass
    the answer in; the middleware sits in the private ``AsyncApp._async_middleware_list`` and
    caches in its ``auth_test_result`` attribute.

    Checked on slack-bolt 1.30.0. If either name changes this seeds nothing (returns 0): the
    bot still works, but a restart during a pulse burst sends hundreds of auth.test calls and
    the presses' acks wait for them."""
    seeded = 0
    for middleware in getattr(app, "_async_middleware_list", []):
        if isinstance(middleware, AsyncSingleTeamAuthorization):
            middleware.auth_test_result = auth_test
            seeded += 1
    return seeded


class GatedSocketModeHandler(AsyncSocketModeHandler):
    """bolt's Socket Mode handler, opening the ack gate (``bots.slack.gate``) once the ack
    envelope was sent.

    Why: work on an event may start only after Slack has its acknowledgement (see
    ``bots.slack.gate``). bolt's ``handle`` runs the app and sends the ack in one call with no
    hook in between, so this ``handle`` is bolt's own, rebuilt from the two functions of
    ``slack_bolt.adapter.socket_mode.async_internals`` it consists of, plus the gate.

    Checked on slack-bolt 1.30.0 (``run_async_bolt_app(app, req)``,
    ``send_async_response(client, req, response, start)``). If they change, Socket Mode fails
    at the first event (an ImportError or TypeError, not silently); if the gate never opened,
    every event would wait ``ACK_WAIT`` and then be left to Slack's retry."""

    async def handle(self, client: SocketModeClient, req: SocketModeRequest) -> None:  # type: ignore[override]
        gate = AckGate()
        token = CURRENT_GATE.set(gate)
        try:
            start = time.time()
            response = await run_async_bolt_app(self.app, req)
        finally:
            CURRENT_GATE.reset(token)
        await send_async_response(client, req, response, start)
        gate.open()


def bolt_request(raw: bytes, *, query: Mapping[str, Any], headers: Mapping[str, Any],
                 body: dict[str, Any] | None = None) -> AsyncBoltRequest:
    """The ``AsyncBoltRequest`` bolt would build for this HTTP request, with the body decoded
    by ``bots.slack.form.parse_body`` (native code), or ``body`` when the caller decoded it
    already. Raises ValueError on a body that is not UTF-8 or whose ``payload`` is not JSON
    (as bolt's parser does).

    Why: bolt's constructor always parses the body with the standard library (about 40 us
    per press, see ``bots.slack.form``) and has no way to take a parsed one. So the request is
    built with an empty body and then given bolt's three body attributes (``raw_body``,
    ``body``, ``context``) the way its constructor sets them, the context from the internal
    ``slack_bolt.request.async_internals.build_async_context``.

    Checked on slack-bolt 1.30.0. If the constructor starts setting more from the body, or
    ``build_async_context`` changes, listeners would see a request missing those parts
    (wrong team or user in the context): ``tests/slack/test_workarounds.py`` compares this
    request with bolt's own, attribute by attribute."""
    request = AsyncBoltRequest(body="", query=dict(query), headers=dict(headers))
    request.raw_body = raw.decode("utf-8")  # what the signature is checked against
    request.body = parse_body(raw, request.content_type) if body is None else body
    request.context = build_async_context(AsyncBoltContext({}), request.body)
    return request

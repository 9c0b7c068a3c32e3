"""Where the Teams adapter reaches into the Teams SDK (``microsoft-teams-apps``) or its httpx.

Each function says why, the SDK version it was checked on and what breaks without it.
``tests/teams/test_workarounds.py`` checks against the installed SDK that the attributes they
touch still exist and that each still takes effect; ``pyproject.toml`` bounds the SDK to the
versions checked. The OpenTelemetry workaround the SDK makes necessary is cross-cutting:
``bots.workarounds.bounded_otel_meters``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from httpx_aiohttp import HttpxAiohttpClient
from microsoft_teams.api import InvokeResponse
from microsoft_teams.apps import ActivityEvent, HttpServer
from microsoft_teams.common import Client

CHECKED = {"microsoft-teams-apps": "2.1.1", "microsoft-teams-common": "2.1.1",
           "httpx": "0.29.0", "httpx-aiohttp": "0.2.0"}

Turn = Callable[[ActivityEvent], Awaitable[InvokeResponse[Any]]]


class ThreadedTokenValidator:
    """Runs the SDK's inbound token validator in a worker thread.

    The SDK validates with ``jwt.PyJWKClient``, which fetches Microsoft's signing keys with
    blocking ``urllib`` (every five minutes, and on an unknown key id). On the event loop that
    would stall every other request while the fetch lasts, so the (fully synchronous inside)
    coroutine runs on its own short-lived loop in a thread.
    """

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    async def validate_token(self, raw_token: str, service_url: str | None = None) -> Any:
        return await asyncio.to_thread(
            lambda: asyncio.run(self._inner.validate_token(raw_token, service_url))
        )


def validate_tokens_in_thread(server: HttpServer) -> bool:
    """Wrap the SDK's token validator in :class:`ThreadedTokenValidator`. True when wrapped.

    Why: see the class; the SDK has no option to run its validator elsewhere. It keeps the
    validator in the private ``HttpServer._token_validator``, set by ``App.initialize()``
    (None when validation is off for development), so this runs after ``initialize``.

    Checked on microsoft-teams-apps 2.1.1. If the attribute is renamed, this wraps nothing
    and every key fetch blocks the event loop again (all platforms' requests wait for it);
    validation itself still happens, so nothing is let in unchecked."""
    validator = getattr(server, "_token_validator", None)
    if validator is None or isinstance(validator, ThreadedTokenValidator):
        return False
    server._token_validator = ThreadedTokenValidator(validator)  # type: ignore[assignment]
    return True


def intercept_turns(server: HttpServer, handler: Turn) -> Turn:
    """Put ``handler`` in front of the SDK's turn; returns the SDK's turn for it to call.

    Why: the SDK's turn builds an API client with a dozen sub-clients, a stream, a tracing
    span and a string of the whole activity for every activity (about 4 ms of CPU per card
    submit); the adapter's handler skips it for card submits (see
    ``TeamsAdapter._on_event``). ``HttpServer.on_request`` is the callback the SDK calls once
    it validated the token; ``App.initialize()`` sets it, so this runs after ``initialize``.

    Checked on microsoft-teams-apps 2.1.1 (``on_request`` is a public property there). If the
    SDK stops calling it, or calls it before validating the token, a Teams vote costs the
    full turn again, or worse: ``tests/teams/test_workarounds.py`` checks the order."""
    sdk_turn = server.on_request
    if sdk_turn is None:
        raise RuntimeError("teams: the SDK registered no turn handler (App.initialize)")
    server.on_request = handler
    return sdk_turn


class _WarningsOnly(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.WARNING


WARNINGS_ONLY = _WarningsOnly()


class SteadyLevel:
    """``setLevel`` for the ``httpx`` logger that skips calls which change nothing.

    The SDK calls ``logging.getLogger("httpx").setLevel(...)`` in every HTTP client it
    creates, three per inbound activity, always with the same level. ``Logger.setLevel``
    clears the level cache of *every* logger in the process, which measured 0.9 ms per call
    (about 40% of a card submit's CPU). The filter, not the level, keeps httpx quiet."""

    def __init__(self, logger: logging.Logger) -> None:
        self._logger = logger
        self._set = logger.setLevel

    def __call__(self, level: int | str) -> None:
        if level != self._logger.level:
            self._set(level)


def quiet_sdk_logs() -> None:
    """Keep message text and conversation ids out of the logs, and make the SDK's per-client
    ``setLevel`` on the ``httpx`` logger cheap (:class:`SteadyLevel`, patched onto that one
    logger instance).

    Why: the SDK logs whole activities (message text included) at DEBUG, and httpx logs every
    request URL at INFO: for a 1:1 chat that URL holds the person's conversation id, at the
    moment the bot answers their anonymous signal or pulse answer. A level on the ``httpx``
    logger is not enough: the SDK resets it each time it creates an HTTP client
    (``microsoft_teams.common.http.client``), so a filter drops the records.

    Checked on microsoft-teams-common 2.1.1 and httpx 0.29.0. Without the filter, request
    URLs with conversation ids reach the logs whenever the SDK resets the level to INFO or
    lower; without :class:`SteadyLevel`, a card submit costs about 40% more CPU."""
    sdk = logging.getLogger("microsoft_teams")
    sdk.setLevel(max(sdk.getEffectiveLevel(), logging.INFO))
    httpx_log = logging.getLogger("httpx")
    if WARNINGS_ONLY not in httpx_log.filters:
        httpx_log.addFilter(WARNINGS_ONLY)
    if not isinstance(httpx_log.__dict__.get("setLevel"), SteadyLevel):
        httpx_log.setLevel = SteadyLevel(httpx_log)  # type: ignore[method-assign]


def aiohttp_under(client: Client) -> httpx.AsyncClient:
    """Put aiohttp (``httpx-aiohttp``) under the SDK's outbound HTTP client, in place of
    httpcore; returns the new client (the caller closes it).

    Why: httpcore's connection pool cost about 1 ms of CPU per reply in a vote burst. The
    SDK's ``Client`` speaks httpx and keeps its ``httpx.AsyncClient`` in the ``http``
    attribute; the API clients the port uses share it (``clone(share_http=True)``), so this
    must run before the first clone. Headers (the SDK's User-Agent), timeout and event hooks
    carry over.

    Checked on microsoft-teams-common 2.1.1 and httpx-aiohttp 0.2.0. If the SDK stops reading
    ``http`` per request, replies go through httpcore again (slower, still correct)."""
    old = client.http
    new = HttpxAiohttpClient(headers=old.headers, timeout=old.timeout)
    new.event_hooks = old.event_hooks
    client.http = new
    return new

"""``POST /hooks/<source>``: work systems (TopDesk, Corsa, Coda, Fixi) post JSON events.

Authentication per source, checked before anything is read into the feature:

- HMAC: header ``X-Hartslag-Timestamp`` (Unix seconds) and ``X-Hartslag-Signature:
  sha256=<hex>``, the HMAC-SHA256 of ``<timestamp>.<raw body>`` with the source's secret
  (from the environment variable named by ``secret_env``). Timestamps outside the window
  (default 300 s) are refused, so a captured request cannot be replayed later; within the
  window a replay is caught by the event id.
- Bearer: ``Authorization: Bearer <token>`` (``token_env``).

Answers: 401 unsigned, wrongly signed or stale; 404 unknown source; 413 too large; 400 not a
JSON object; 422 when the template cannot render or the recipient is unknown (kept for the
admin: ``/hartslag hooks failures``); 200 for a duplicate event; 202 accepted.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from commands.notices.intake import Outcome
from commands.notices.settings import HookSettings, HookSource

log = logging.getLogger("hartslag.webhooks")

Receive = Callable[[str, dict[str, Any]], Awaitable[Outcome]]


def _error(status: int, reason: str) -> Response:
    return JSONResponse({"error": reason}, status_code=status)


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The signature header value a source sends (also used by tests and the README)."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def _authenticate(source: HookSource, request: Request, body: bytes, *, window: int,
                  env: Mapping[str, str], now: float) -> str | None:
    """None when the request is authentic, otherwise the reason."""
    if source.secret_env:
        secret = env.get(source.secret_env)
        if not secret:
            return f"source not configured: {source.secret_env} is not set"
        stamp, signature = (request.headers.get("x-hartslag-timestamp"),
                            request.headers.get("x-hartslag-signature"))
        if not stamp or not signature:
            return "missing X-Hartslag-Timestamp or X-Hartslag-Signature header"
        if not stamp.isdecimal() or abs(now - int(stamp)) > window:
            return f"timestamp outside the {window} s window (send Unix seconds, check the clock)"
        if not hmac.compare_digest(sign(secret, int(stamp), body), signature):
            return "bad signature: expected sha256=HMAC-SHA256(secret, '<timestamp>.<body>')"
        return None
    token = env.get(source.token_env)
    if not token:
        return f"source not configured: {source.token_env} is not set"
    given = request.headers.get("authorization", "")
    if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return "missing or wrong bearer token"
    return None


async def _read(request: Request, limit: int) -> bytes | None:
    declared = request.headers.get("content-length")
    if declared and declared.isdecimal() and int(declared) > limit:
        return None
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            return None
    return body


def missing_secrets(settings: HookSettings, env: Mapping[str, str] | None = None) -> list[str]:
    """Configured sources whose secret is not in the environment: every event they send is
    refused (503) until it is set. For /healthz, which says "degraded" instead of "ok"."""
    environment = env if env is not None else os.environ
    missing = []
    for name, source in sorted(settings.sources.items()):
        variable = source.secret_env or source.token_env
        if not environment.get(variable):
            missing.append(f"hooks.{name}: {variable} is not set")
    return missing


def hook_routes(settings: HookSettings, receive: Receive, *,
                env: Mapping[str, str] | None = None,
                clock: Callable[[], float] = time.time) -> list[Route]:
    environment = env if env is not None else os.environ

    async def endpoint(request: Request) -> Response:
        name = request.path_params["source"]
        source = settings.sources.get(name)
        if source is None:
            return _error(404, f"unknown source {name[:60]!r}: configure [hooks.sources.<name>]")
        body = await _read(request, settings.max_body_bytes)
        if body is None:
            return _error(413, f"body larger than {settings.max_body_bytes} bytes")
        problem = _authenticate(source, request, body, window=settings.timestamp_window_s,
                                env=environment, now=clock())
        if problem:
            log.info("hook refused", extra={"source": name, "status": 401})
            return _error(503 if problem.startswith("source not configured") else 401, problem)
        try:
            payload = json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError):
            payload = None
        if not isinstance(payload, dict):
            return _error(400, "body must be a JSON object")
        outcome = await receive(name, payload)
        return JSONResponse(outcome.body, status_code=outcome.status)

    return [Route("/hooks/{source}", endpoint, methods=["POST"])]

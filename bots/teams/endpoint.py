"""``POST /api/messages`` as a Starlette route on the shared server.

The SDK's own HTTP layer is a FastAPI app that ``App.start()`` serves on 0.0.0.0. We keep the
SDK's request processing (token validation, activity parsing, routing, invoke responses) by
giving ``App`` an ``HttpServerAdapter`` of our own: the SDK registers its handler here and we
expose it as a route; we never start a server of the SDK's.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from typing import Any

from microsoft_teams.apps.http.adapter import HttpMethod, HttpRequest, HttpRouteHandler
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bots.adapter import Forward

log = logging.getLogger("hartslag.teams")

MAX_BODY_BYTES = 256 * 1024  # Teams activities are far below this


class RouteAdapter:
    """Implements the SDK's ``HttpServerAdapter`` protocol by collecting routes."""

    def __init__(self, *, forward: Forward | None = None,
                 stays: Callable[[dict[str, Any]], bool] | None = None) -> None:
        """``forward``/``stays``: in an HTTP worker process, activities for which ``stays``
        is false go to the primary process unvalidated (it validates them itself)."""
        self._handlers: dict[str, HttpRouteHandler] = {}
        self._paths: list[str] = []
        self._forward = forward
        self._stays = stays

    def expect(self, path: str) -> None:
        """Declare a route before the SDK registers its handler (routes are mounted early)."""
        if path not in self._paths:
            self._paths.append(path)

    def register_route(self, method: HttpMethod, path: str, handler: HttpRouteHandler) -> None:
        if method != "POST":
            raise ValueError(f"unsupported method {method}")
        self.expect(path)
        self._handlers[path] = handler

    def serve_static(self, path: str, directory: str) -> None:
        log.warning("teams: static files are not served", extra={"path": path})

    async def start(self, port: int) -> None:
        raise RuntimeError("the shared hartslag server serves the Teams endpoint")

    async def stop(self) -> None:
        return None

    def routes(self) -> Sequence[BaseRoute]:
        return [Route(path, self._endpoint(path), methods=["POST"]) for path in self._paths]

    def _endpoint(self, path: str) -> Any:
        async def endpoint(request: Request) -> Response:
            handler = self._handlers.get(path)
            if handler is None:
                return JSONResponse({"error": "not ready"}, status_code=503)
            raw = await request.body()
            if len(raw) > MAX_BODY_BYTES:
                return JSONResponse({"error": "too large"}, status_code=413)
            try:
                body = json.loads(raw)
            except ValueError:
                return JSONResponse({"error": "invalid JSON"}, status_code=400)
            if not isinstance(body, dict):
                return JSONResponse({"error": "expected an activity"}, status_code=400)
            if self._forward is not None and not (self._stays and self._stays(body)):
                return await self._forward(request, raw)
            result = await handler(HttpRequest(body=body, headers=dict(request.headers)))
            if result.get("body") is not None:
                return JSONResponse(result["body"], status_code=result["status"])
            return Response(status_code=result["status"])

        return endpoint


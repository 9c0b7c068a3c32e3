"""The one HTTP server: /healthz, /metrics and every adapter's routes (Starlette + uvicorn,
because the Teams SDK is ASGI and bolt has a Starlette adapter)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence

import uvicorn
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from commands.metrics import Metrics

log = logging.getLogger("hartslag.server")

HealthCheck = Callable[[], Awaitable[list[str]]]


def build_http_app(
    *, health: HealthCheck, metrics: Metrics, routes: Sequence[BaseRoute] = ()
) -> Starlette:
    async def healthz(_: Request) -> Response:
        problems = await health()
        if problems:
            return JSONResponse({"status": "unavailable", "problems": problems}, status_code=503)
        return JSONResponse({"status": "ok"})

    async def metrics_endpoint(_: Request) -> Response:
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    base = [Route("/healthz", healthz), Route("/metrics", metrics_endpoint)]
    return Starlette(routes=[*base, *routes])


class HttpServer:
    """uvicorn inside our event loop, as a named task that stop() ends."""

    def __init__(self, app: Starlette, *, host: str, port: int) -> None:
        config = uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="off",
                                access_log=False)
        self._server = uvicorn.Server(config)
        self._task: asyncio.Task[None] | None = None

    @property
    def port(self) -> int:
        """The bound port (useful with port 0 in tests)."""
        servers = getattr(self._server, "servers", [])
        for server in servers:
            for sock in server.sockets:
                return int(sock.getsockname()[1])
        return self._server.config.port

    async def start(self) -> None:
        self._task = asyncio.create_task(self._server.serve(), name="hartslag.http")
        while not self._server.started:
            if self._task.done():
                self._task.result()  # raises the bind error
                raise RuntimeError("HTTP server stopped during start-up")
            await asyncio.sleep(0.02)
        log.info("http server listening", extra={"port": self.port})

    async def stop(self) -> None:
        if self._task is None:
            return
        self._server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None

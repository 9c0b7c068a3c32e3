"""The one HTTP server: /healthz, /metrics and every adapter's routes (Starlette + uvicorn,
because the Teams SDK is ASGI and bolt has a Starlette adapter)."""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import os
import socket
from collections.abc import Awaitable, Callable, Sequence

import uvicorn
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from commands.metrics import Metrics

log = logging.getLogger("hartslag.server")

HealthCheck = Callable[[], Awaitable[list[str]]]
Degraded = Callable[[], list[str]]


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a name or an address) is this machine only: what the development
    switches (Teams without token checks, the local chat's hooks) are allowed to bind."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def build_http_app(
    *, health: HealthCheck | None, metrics: Metrics, routes: Sequence[BaseRoute] = (),
    degraded: Degraded | None = None,
) -> Starlette:
    """``health`` None: no /healthz here (an HTTP worker passes it on to the primary).

    /healthz: 503 "unavailable" when ``health`` names a problem (storage, a platform, a
    worker); 200 "degraded" when only ``degraded`` does (a hook source without its secret:
    chat works, that source's events are refused), so a load balancer keeps the process
    while monitoring still sees the problem; else 200 "ok"."""
    async def healthz(_: Request) -> Response:
        assert health is not None
        problems = await health()
        partial = degraded() if degraded is not None else []
        if problems:
            return JSONResponse({"status": "unavailable", "problems": [*problems, *partial]},
                                status_code=503)
        if partial:
            return JSONResponse({"status": "degraded", "problems": partial})
        return JSONResponse({"status": "ok"})

    async def metrics_endpoint(_: Request) -> Response:
        return Response(generate_latest(_registry(metrics)), media_type=CONTENT_TYPE_LATEST)

    base = [Route("/metrics", metrics_endpoint)]
    if health is not None:
        base.insert(0, Route("/healthz", healthz))
    return Starlette(routes=[*base, *routes])


def _registry(metrics: Metrics) -> CollectorRegistry:
    """This process's registry, or, with HTTP workers, the sum over every process's files
    (``bots.workers``)."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not directory:
        return metrics.registry
    from prometheus_client import multiprocess

    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path=directory)
    return registry


class HttpServer:
    """uvicorn inside our event loop, as a named task that stop() ends."""

    def __init__(self, app: Starlette, *, host: str, port: int,
                 sockets: Sequence[socket.socket] | None = None) -> None:
        """``sockets``: serve these already bound sockets (shared with HTTP workers, see
        ``bots.workers``) instead of binding ``host:port``."""
        config = uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="off",
                                access_log=False)
        self._server = uvicorn.Server(config)
        self._sockets = list(sockets) if sockets else None
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
        self._task = asyncio.create_task(self._server.serve(sockets=self._sockets),
                                         name="hartslag.http")
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

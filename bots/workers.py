"""HTTP worker processes (``[server] workers``): more than one core for the burst paths.

One Python event loop is one core. A pulse to 130,000 people at 09:00 brings more button
presses per second than one core can take through bolt or the Teams SDK, so ``hartslag run``
can start extra **HTTP worker processes** that share the server's listening socket (the
kernel hands each new connection to whichever process accepts first).

What a worker does and does not do:

- It handles, end to end, only the presses features declared ``stateless`` (the pulse vote
  and start buttons, the announcement "read" button): their handlers keep nothing in memory
  between requests, so it does not matter which process runs them. Their votes go through
  the same group-commit writer on the same database (SQLite ``BEGIN IMMEDIATE`` serialises
  the processes' batches; PostgreSQL as usual).
- Every other request (slash commands, messages, DM conversations, forms, webhooks,
  ``/healthz``) it forwards unchanged over loopback to the **primary** process, which
  verifies and handles it exactly as without workers. DM conversations (a signal being
  written, a free-text pulse answer) keep their state in the primary's memory only: the
  state is never written down (anonymity), so it must live in one process.
- It runs no scheduler, no outbox dispatcher, no Matrix sync, no local chat and no Slack
  Socket Mode: those stay single, in the primary.
- ``/metrics`` on any process shows the sum over all processes (prometheus_client's
  multiprocess mode, files in a private temporary directory).

The primary starts the workers after it has migrated the database and bound the socket, and
says it runs only when every worker has reported ready (or READY_TIMEOUT_S passed): the
public socket queues connections from the moment it is bound, and a worker still importing
would leave them waiting (measured: 18 s for the first /healthz on a busy two-core machine).
A worker not yet ready counts as not running in ``/healthz``. It restarts one that dies (with a back-off, reported in ``/healthz`` while it is down), and
stops them when it stops. A worker stops by itself when its primary is gone.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace

import aiohttp
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from bots.config import Config
from bots.workarounds import reselect_metric_values

log = logging.getLogger("hartslag.workers")

# "<listening socket fd>:<primary's private port>:<its pid>:<ready pipe fd>"
WORKER_ENV = "HARTSLAG_WORKER"
METRICS_ENV = "PROMETHEUS_MULTIPROC_DIR"
FORWARD_TIMEOUT_S = 30.0
STOP_GRACE_S = 10.0
READY_TIMEOUT_S = 120.0  # how long start-up waits for the workers to report ready
RESTART_BACKOFF_S = (1.0, 2.0, 5.0, 10.0, 30.0)
STABLE_AFTER_S = 60.0  # a worker that ran this long starts the back-off from the beginning
PARENT_CHECK_S = 1.0
# Hop-by-hop headers (RFC 9110 7.6.1) and those aiohttp sets itself.
_HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer",
        "upgrade", "host", "content-length"}


@dataclass(frozen=True)
class WorkerEnv:
    """What a worker process is told by its primary."""

    fd: int
    primary_port: int
    primary_pid: int
    ready_fd: int = -1  # the write end of a pipe the primary waits on

    @classmethod
    def from_environ(cls) -> WorkerEnv | None:
        raw = os.environ.get(WORKER_ENV)
        if not raw:
            return None
        fd, port, pid, ready = [*raw.split(":"), "-1"][:4]
        return cls(int(fd), int(port), int(pid), int(ready))

    def encode(self) -> str:
        return f"{self.fd}:{self.primary_port}:{self.primary_pid}:{self.ready_fd}"

    def report_ready(self) -> None:
        """Tell the primary this worker serves requests now (once, after it started)."""
        if self.ready_fd >= 0:
            with contextlib.suppress(OSError):  # a primary gone meanwhile: watch_parent acts
                os.write(self.ready_fd, b"1")
                os.close(self.ready_fd)


class Forwarder:
    """Passes a request, unchanged, to the primary process over loopback."""

    def __init__(self, primary_port: int) -> None:
        self._base = f"http://127.0.0.1:{primary_port}"
        self._session: aiohttp.ClientSession | None = None

    async def forward(self, request: Request, body: bytes) -> Response:
        if self._session is None:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=FORWARD_TIMEOUT_S), auto_decompress=False)
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _HOP}
        url = self._base + request.url.path + (f"?{request.url.query}" if request.url.query
                                               else "")
        try:
            async with self._session.request(request.method, url, data=body or None,
                                             headers=headers, allow_redirects=False) as answer:
                content = await answer.read()
                kept = {k: v for k, v in answer.headers.items() if k.lower() not in _HOP}
                return Response(content, status_code=answer.status, headers=kept)
        except (aiohttp.ClientError, TimeoutError) as exc:
            log.warning("primary process unreachable", extra={"error": type(exc).__name__})
            return PlainTextResponse("primary process unreachable, try again", status_code=503)

    async def endpoint(self, request: Request) -> Response:
        """A Starlette endpoint forwarding whatever reaches it (the worker's catch-all)."""
        return await self.forward(request, await request.body())

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


def forward_route(forwarder: Forwarder) -> Route:
    """The worker's catch-all: every path its own routes do not take goes to the primary."""
    return Route("/{path:path}", forwarder.endpoint,
                 methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])


def worker_config(config: Config) -> Config:
    """A worker serves HTTP only: no local chat, no Matrix sync, no Slack Socket Mode (the
    primary keeps those single)."""
    local = config.local.model_copy(update={"enabled": False})
    matrix = config.matrix.model_copy(update={"enabled": False})
    slack = config.slack.model_copy(
        update={"enabled": config.slack.enabled and not config.slack.socket_mode})
    return config.model_copy(update={"local": local, "matrix": matrix, "slack": slack})


def listening_sockets(host: str, port: int, *, private: bool) -> list[socket.socket]:
    """The public socket (shared with the workers) and, with workers, a private loopback one
    the workers forward to. Bound here rather than by uvicorn so the fd can be inherited."""
    public = socket.create_server((host, port), backlog=2048, reuse_port=False)
    public.set_inheritable(True)
    sockets = [public]
    if private:
        sockets.append(socket.create_server(("127.0.0.1", 0), backlog=512))
    return sockets


def prepare_metrics(workers: int) -> str | None:
    """With workers, every process writes its metrics to files in one directory, and any
    process's /metrics sums them. Must run before the first metric is created."""
    if workers <= 1:
        return None
    directory = tempfile.mkdtemp(prefix="hartslag-metrics-")
    os.environ[METRICS_ENV] = directory
    reselect_metric_values()  # prometheus_client chose its value class at import
    return directory


class WorkerPool:
    """The primary's side: start, watch, restart and stop ``count`` worker processes."""

    def __init__(self, count: int, *, argv: Sequence[str], public: socket.socket,
                 primary_port: int, metrics_dir: str | None) -> None:
        self._count = count
        self._argv = list(argv)
        self._env = WorkerEnv(public.fileno(), primary_port, os.getpid())
        self._metrics_dir = metrics_dir
        self._procs: list[subprocess.Popen[bytes] | None] = [None] * count
        self._started_at = [0.0] * count
        self._failures = [0] * count
        self._ready: list[asyncio.Future[bool] | None] = [None] * count
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    async def start(self, *, ready_within: float = READY_TIMEOUT_S) -> None:
        """Start the workers and wait until each reported ready (or died, or the time is up:
        then start-up goes on and /healthz reports the ones not ready)."""
        for slot in range(self._count):
            self._spawn(slot)
        self._task = asyncio.create_task(self._watch(), name="hartslag.workers")
        waiting = [f for f in self._ready if f is not None]
        done, _ = await asyncio.wait(waiting, timeout=ready_within)
        ready = sum(1 for f in done if f.result())
        level = logging.INFO if ready == self._count else logging.WARNING
        log.log(level, "http workers started", extra={"workers": self._count, "ready": ready})

    def _spawn(self, slot: int) -> None:
        read_end, write_end = os.pipe()
        env = dict(os.environ, **{WORKER_ENV: replace(self._env, ready_fd=write_end).encode()})
        try:
            self._procs[slot] = subprocess.Popen(self._argv, env=env,
                                                 pass_fds=(self._env.fd, write_end))
        finally:
            os.close(write_end)  # the worker's copy only: a worker that dies gives EOF
        self._started_at[slot] = time.monotonic()
        self._ready[slot] = asyncio.ensure_future(asyncio.to_thread(_await_ready, read_end))

    async def _watch(self) -> None:
        while not self._stopping:
            await asyncio.sleep(0.5)
            for slot, proc in enumerate(self._procs):
                if proc is None or proc.poll() is None or self._stopping:
                    continue
                self._exited(slot, proc)

    def _exited(self, slot: int, proc: subprocess.Popen[bytes]) -> None:
        self._mark_dead(proc.pid)
        self._procs[slot] = None
        if time.monotonic() - self._started_at[slot] > STABLE_AFTER_S:
            self._failures[slot] = 0
        delay = RESTART_BACKOFF_S[min(self._failures[slot], len(RESTART_BACKOFF_S) - 1)]
        self._failures[slot] += 1
        log.error("http worker exited; restarting",
                  extra={"exit_code": proc.returncode, "restart_in_s": delay})
        asyncio.get_running_loop().call_later(delay, self._respawn, slot)

    def _respawn(self, slot: int) -> None:
        if not self._stopping and self._procs[slot] is None:
            self._spawn(slot)

    def _mark_dead(self, pid: int) -> None:
        if self._metrics_dir:
            from prometheus_client import multiprocess

            multiprocess.mark_process_dead(pid, self._metrics_dir)

    def _serving(self, slot: int) -> bool:
        proc, ready = self._procs[slot], self._ready[slot]
        return (proc is not None and proc.poll() is None and ready is not None
                and ready.done() and ready.result())

    def health(self) -> list[str]:
        down = sum(1 for slot in range(self._count) if not self._serving(slot))
        return [f"http workers: {down} of {self._count} not running"] if down else []

    @property
    def pids(self) -> list[int]:
        return [proc.pid for proc in self._procs if proc is not None]

    async def stop(self) -> None:
        self._stopping = True
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        running = [proc for proc in self._procs if proc is not None]
        for proc in running:
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_S
        for proc in running:
            try:
                await asyncio.to_thread(proc.wait, max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                await asyncio.to_thread(proc.wait)
            self._mark_dead(proc.pid)
        if self._metrics_dir:
            shutil.rmtree(self._metrics_dir, ignore_errors=True)


def _await_ready(read_end: int) -> bool:
    """Blocks (in a thread) until the worker wrote its ready byte (True) or closed the pipe
    by exiting (False)."""
    try:
        return os.read(read_end, 1) == b"1"
    finally:
        os.close(read_end)


def worker_argv(config_path: str | None) -> list[str]:
    """The command line of a worker: the same interpreter, module and configuration."""
    argv = [sys.executable, "-m", "bots.cli"]
    if config_path:
        argv += ["--config", config_path]
    return [*argv, "run"]


async def watch_parent(stop: asyncio.Event, primary_pid: int) -> None:
    """A worker whose primary is gone (killed with SIGKILL, say) stops by itself. The pid
    comes from the primary itself: one read here could already see the reaper's."""
    while not stop.is_set():
        if os.getppid() != primary_pid:
            log.warning("primary process gone; http worker stops")
            stop.set()
            return
        await asyncio.sleep(PARENT_CHECK_S)

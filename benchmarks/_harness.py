"""Shared pieces of the HTTP benchmarks (votes, votes_teams, memory): a hartslag server in a
child process, a bare reference endpoint, a load generator and the figures.

Everything binds and connects to 127.0.0.1 only. Every load is bounded by a request count AND
a deadline, and every child process is killed when the benchmark ends (also on errors).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def rss_mb(pid: int) -> tuple[float, float]:
    """(current RSS, peak RSS) of a process in MB, from /proc."""
    found = {"VmRSS": 0.0, "VmHWM": 0.0}
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in found:
                found[key] = int(value.split()[0]) / 1024
    return round(found["VmRSS"], 1), round(found["VmHWM"], 1)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time so far of a process and its child processes (HTTP workers)."""
    total = 0.0
    for member in process_tree(pid):
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def process_tree(pid: int) -> list[int]:
    """``pid`` and its descendants, from /proc."""
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        with contextlib.suppress(OSError):
            for task in Path(f"/proc/{current}/task").iterdir():
                queue += [int(c) for c in (task / "children").read_text().split()]
    return found


def rss_total_mb(pid: int) -> float:
    """Summed RSS of a process and its child processes, in MB."""
    return round(sum(rss_mb(member)[0] for member in process_tree(pid)), 1)


def stop(proc: subprocess.Popen[bytes], *, grace: float = 15.0) -> None:
    """SIGTERM (a clean stop: the database is closed), SIGKILL after ``grace`` seconds."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


@contextlib.contextmanager
def child(argv: list[str], *, env: dict[str, str] | None = None,
          log: Path | None = None) -> Iterator[subprocess.Popen[bytes]]:
    """A child process that is killed (SIGKILL after a short SIGTERM grace) on exit."""
    out = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115
    proc = subprocess.Popen(argv, cwd=ROOT, env={**os.environ, **(env or {})},
                            stdout=out, stderr=subprocess.STDOUT)
    try:
        yield proc
    finally:
        stop(proc, grace=8.0)
        if log:
            out.close()  # type: ignore[union-attr]


async def wait_http(url: str, proc: subprocess.Popen[bytes], *, within: float = 60.0) -> None:
    """Poll ``url`` until it answers; fail early if the process died."""
    deadline = time.monotonic() + within
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited with {proc.returncode}")
            with contextlib.suppress(aiohttp.ClientError, OSError):
                async with session.get(url) as response:
                    if response.status < 500:
                        return
            await asyncio.sleep(0.1)
    raise TimeoutError(f"{url} did not answer within {within} s")


def histogram_quantile(metrics_text: str, name: str, q: float) -> float | None:
    """The upper bound of the bucket holding quantile ``q`` of a Prometheus histogram."""
    buckets: list[tuple[float, float]] = []
    for line in metrics_text.splitlines():
        if line.startswith(f"{name}_bucket{{"):
            le = line.split('le="', 1)[1].split('"', 1)[0]
            buckets.append((float("inf") if le == "+Inf" else float(le),
                            float(line.rsplit(" ", 1)[1])))
    if not buckets or buckets[-1][1] == 0:
        return None
    total = buckets[-1][1]
    for bound, count in sorted(buckets):
        if count >= q * total:
            return bound
    return None


async def fetch_text(url: str) -> str:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return await response.text()


@dataclass
class LoadResult:
    sent: int = 0
    ok: int = 0
    errors: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)
    acked: list[int] = field(default_factory=list)  # indexes of requests answered 200
    elapsed: float = 0.0
    planned: list[float] = field(default_factory=list)  # send offset of each latency, s

    def p99_by_window(self, seconds: float = 10.0) -> list[float]:
        """p99 latency (ms) per ``seconds`` of the planned send schedule: shows whether a
        tail is steady or comes in periodic bursts."""
        windows: dict[int, list[float]] = {}
        for offset, latency in zip(self.planned, self.latencies, strict=True):
            windows.setdefault(int(offset // seconds), []).append(latency)
        return [round(percentile(windows[w], 0.99) * 1000, 1) for w in sorted(windows)]

    def figures(self) -> dict[str, Any]:
        return {"sent": self.sent, "acked": self.ok, "errors": self.errors,
                "rate": round(self.ok / self.elapsed, 1) if self.elapsed else 0.0,
                "p50_ms": round(percentile(self.latencies, 0.50) * 1000, 1),
                "p99_ms": round(percentile(self.latencies, 0.99) * 1000, 1),
                "max_ms": round(max(self.latencies, default=0.0) * 1000, 1)}


Request = Callable[[aiohttp.ClientSession, int], Awaitable[int]]


async def open_loop(request: Request, *, rate: float, count: int, deadline: float,
                    in_flight: int = 512) -> LoadResult:
    """Send ``count`` requests at a constant ``rate`` (open loop: the schedule does not wait
    for answers, so a slow server shows up as latency measured from the planned send time,
    not as a politely lower rate). Stops at ``deadline`` seconds whatever happens."""
    result = LoadResult()
    limit = asyncio.Semaphore(in_flight)
    connector = aiohttp.TCPConnector(limit=in_flight, limit_per_host=in_flight)
    timeout = aiohttp.ClientTimeout(total=10)
    # The generator measures the latency, so its own pauses count against the server: keep
    # only unfinished tasks (60,000 finished ones made its garbage collections grow through
    # a 60 s run), and take what exists now (the pre-signed bodies) out of the collector's
    # view.
    gc.collect()
    gc.freeze()
    start = time.perf_counter()

    async def one(index: int, planned: float) -> None:
        try:
            status = await request(session, index)
        except (TimeoutError, aiohttp.ClientError, OSError):
            status = -1
        finally:
            limit.release()
        result.latencies.append(time.perf_counter() - planned)
        result.planned.append(planned - start)
        result.statuses[status] = result.statuses.get(status, 0) + 1
        if status == 200:
            result.ok += 1
            result.acked.append(index)
        else:
            result.errors += 1

    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        tasks: set[asyncio.Task[None]] = set()
        for index in range(count):
            planned = start + index / rate
            now = time.perf_counter()
            if now - start > deadline:
                break
            if planned > now:
                await asyncio.sleep(planned - now)
            await limit.acquire()
            result.sent += 1
            task = asyncio.create_task(one(index, planned))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        if tasks:
            await asyncio.wait(tasks, timeout=max(1.0, deadline - (time.perf_counter() - start)
                                                  + 10))
    gc.unfreeze()
    result.elapsed = time.perf_counter() - start
    return result


async def closed_loop(request: Request, *, workers: int, seconds: float,
                      first: int = 0) -> LoadResult:
    """``workers`` clients sending back to back for ``seconds``: the capacity."""
    result = LoadResult()
    counter = iter(range(first, first + 10_000_000))
    connector = aiohttp.TCPConnector(limit=workers)
    timeout = aiohttp.ClientTimeout(total=10)
    start = time.perf_counter()
    end = start + seconds

    async def worker() -> None:
        while time.perf_counter() < end:
            index = next(counter)
            sent = time.perf_counter()
            result.sent += 1
            try:
                status = await request(session, index)
            except (TimeoutError, aiohttp.ClientError, OSError):
                status = -1
            result.latencies.append(time.perf_counter() - sent)
            result.planned.append(sent - start)
            result.statuses[status] = result.statuses.get(status, 0) + 1
            if status == 200:
                result.ok += 1
                result.acked.append(index)
            else:
                result.errors += 1

    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        await asyncio.gather(*(worker() for _ in range(workers)))
    result.elapsed = time.perf_counter() - start
    return result


REFERENCE = """
import sys
from aiohttp import web
async def ack(request):
    await request.read()
    return web.Response(text="")
app = web.Application()
app.router.add_post("/{tail:.*}", ack)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None)
"""


@contextlib.contextmanager
def reference_server(port: int) -> Iterator[subprocess.Popen[bytes]]:
    """A bare aiohttp endpoint that reads the body and acknowledges (nothing else)."""
    with child([PYTHON, "-c", REFERENCE, str(port)]) as proc:
        yield proc

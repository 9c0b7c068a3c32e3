"""Two instances, one Slack workspace budget: do they share it? (issue 18, finding 5)

A local fake Slack Web API (aiohttp on 127.0.0.1) counts chat.postMessage calls per second;
outbox instances in their own processes (the real slack_sdk client and SlackPort) deliver
one fan-out from one PostgreSQL database. Phases, in the same run:

- ``one_instance``: the reference, a single process (shared budget through the database);
- ``two_instances``: two processes sharing the budget through ``delivery_budget``;
- ``two_instances_local``: two processes with ``shared_budget = false`` (each its own
  bucket: what the issue found), for contrast.

Per phase: ``rate`` (posts/s from the first to the last post), ``fraction_of_budget``
(rate / configured budget, goal >= 0.9), ``max_1s`` (most posts in any 1 s window, goal <=
the platform limit), ``duplicates`` / ``lost`` (goal 0). Bounded: ``--targets`` posts per
phase and a deadline per phase; every child process is killed at the end.

    HARTSLAG_TEST_POSTGRES_URL=postgresql://postgres@127.0.0.1:5432/test \\
        .venv/bin/python benchmarks/fanout_instances.py [--targets 300] [--limit 50]
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import contextlib
import json
import os
import signal
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aiohttp import web
from sqlalchemy import text
from sqlalchemy.engine import make_url

import storage.outbox
from commands.clock import SystemClock
from commands.delivery import Delivery
from commands.metrics import Metrics
from commands.model import Address, OutgoingMessage
from scheduling.outbox import Outbox
from scheduling.settings import DeliverySettings, PlatformLimits
from storage.base import metadata
from storage.db import Database

TABLES = ("outbox", "outbox_batch", "outbox_message", "installation", "delivery_budget")
HEADROOM = 0.95
BURST = 1
WORKSPACE = "T0BENCH"
POOL = "~pool"  # the trace's entry for the shared pool's counts (no channel has this name)
assert storage.outbox


def settings(limit: float, shared: bool) -> DeliverySettings:
    slack = PlatformLimits(per_channel=1.0, channel_burst=1, per_workspace=limit,
                           workspace_burst=BURST, blocks="method")
    return DeliverySettings(limits={"slack": slack}, rate_headroom=HEADROOM,
                            shared_budget=shared, poll_seconds=0.05, lease_seconds=10.0)


# -- the fake workspace ----------------------------------------------------------------------
class FakeWorkspace:
    """Answers chat.postMessage (never 429: it only counts) and records when each landed."""

    def __init__(self) -> None:
        self.times: list[float] = []
        self.arrivals: dict[str, float] = {}  # channel -> arrival (monotonic, machine-wide)
        self.expect = 0
        self.done = asyncio.Event()
        self.channels: Counter[str] = Counter()
        self._ts = 0
        self._runner: web.AppRunner | None = None
        self.port = 0

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/api/{method}", self._api)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.port = int(self._runner.addresses[0][1])

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _api(self, request: web.Request) -> web.Response:
        if request.match_info["method"] != "chat.postMessage":
            return web.json_response({"ok": False, "error": "unknown_method"})
        args = await request.json()
        arrived = time.monotonic()
        self.times.append(arrived)
        self.arrivals[str(args["channel"])] = arrived
        if len(self.times) >= self.expect:
            self.done.set()
        self.channels[str(args["channel"])] += 1
        self._ts += 1
        return web.json_response({"ok": True, "channel": args["channel"],
                                  "ts": f"1700000000.{self._ts:06d}"})

    def reset(self, expect: int) -> None:
        self.times.clear()
        self.arrivals.clear()
        self.channels.clear()
        self.expect = expect
        self.done = asyncio.Event()


def max_window(times: list[float], width: float = 1.0) -> int:
    ordered = sorted(times)
    return max((bisect.bisect_right(ordered, t + width) - i for i, t in enumerate(ordered)),
               default=0)


# -- one instance (child process) ------------------------------------------------------------
def traced(outbox: Outbox, port: Any, trace: dict[str, dict[str, float]]) -> None:
    """Record per post (by channel) the granted slot, when the pacing let it go, and when
    the HTTP call started (monotonic: one clock for every process on this machine)."""
    pace, send = outbox._limiter.pace, port.send  # a benchmark's probe

    async def traced_pace(platform: str, workspace: str, channel: str,
                          slot: float | None = None) -> float | None:
        used = await pace(platform, workspace, channel, slot)
        name = channel.rsplit("/", 1)[-1]  # the row's key is the address; the fake's the id
        trace.setdefault(name, {}).update(slot=used or 0.0, paced=time.monotonic())
        return used

    async def traced_send(address: Address, message: OutgoingMessage, **kw: Any) -> Any:
        trace.setdefault(address.channel, {})["sent"] = time.monotonic()
        return await send(address, message, **kw)

    outbox._limiter.pace = traced_pace  # type: ignore[method-assign]
    port.send = traced_send


async def worker(url: str, base_url: str, limit: float, shared: bool, deadline: float,
                 trace_path: str) -> None:
    import aiohttp
    from slack_sdk.web.async_client import AsyncWebClient

    from bots.slack.port import SlackPort

    db = Database(url)
    session = aiohttp.ClientSession()  # one connection pool, as a long-running app keeps
    client = AsyncWebClient(token="xoxb-bench", base_url=base_url, timeout=10,
                            session=session)
    port = SlackPort(client, workspace=WORKSPACE)
    outbox = Outbox(db, port, clock=SystemClock(),
                    metrics=Metrics(), settings=settings(limit, shared))
    trace: dict[str, dict[str, float]] = {}
    traced(outbox, port, trace)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await outbox.start()
    print("started", flush=True)
    try:
        await asyncio.wait_for(stop.wait(), deadline)
    except TimeoutError:
        pass
    finally:
        await outbox.stop(grace=1)
        await session.close()
        await db.dispose()
        pools = outbox._limiter._pools.values()  # a benchmark's probe
        trace[POOL] = {"missed": float(sum(pool.missed for pool in pools)),
                       "expired": float(sum(pool.expired for pool in pools))}
        await asyncio.to_thread(Path(trace_path).write_text, json.dumps(trace))


# -- where the time goes ---------------------------------------------------------------------
def merge(traces: list[Path], arrivals: dict[str, float]) -> list[dict[str, float]]:
    """One record per post that arrived: instance, slot, paced, sent (the instance's
    clock) and arrived (the fake's); and one per instance with its slots given up for being
    the shared pool's counts (sends that ``missed`` their slot, slots ``expired`` unused).
    Trace files are removed."""
    posts: list[dict[str, float]] = []
    for index, path in enumerate(traces):
        found = json.loads(path.read_text()) if path.exists() else {}
        path.unlink(missing_ok=True)
        posts.append({"instance": index, **found.pop(POOL, {"missed": 0, "expired": 0})})
        for channel, record in found.items():
            if channel in arrivals and "sent" in record:
                posts.append({**record, "instance": index, "arrived": arrivals[channel]})
    return posts


def timing(posts: list[dict[str, float]]) -> dict[str, Any]:
    """The busiest 1-s window at each stage (granted slots, send calls, arrivals) and the
    delays between the stages (ms: median, 99th percentile, max)."""
    def spread(values: list[float]) -> dict[str, float]:
        ordered = sorted(values) or [0.0]
        pick = lambda q: round(1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)  # noqa: E731
        return {"p50_ms": pick(0.5), "p99_ms": pick(0.99), "max_ms": pick(1.0)}

    pools = [p for p in posts if "arrived" not in p]
    posts = [p for p in posts if "arrived" in p]
    slotted = [p for p in posts if p.get("slot")]
    return {
        "slots_missed": int(sum(p["missed"] for p in pools)),
        "slots_expired": int(sum(p["expired"] for p in pools)),
        "max_1s_slots": max_window([p["slot"] for p in slotted]),
        "max_1s_sent": max_window([p["sent"] for p in posts]),
        "max_1s_arrived": max_window([p["arrived"] for p in posts]),
        "paced_after_slot": spread([p["paced"] - p["slot"] for p in slotted]),
        "sent_after_paced": spread([p["sent"] - p["paced"] for p in slotted]),
        "arrived_after_sent": spread([p["arrived"] - p["sent"] for p in posts]),
    }


# -- the run ---------------------------------------------------------------------------------
async def admin(base: str, statement: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(make_url(base).set(drivername="postgresql")
                                 .render_as_string(hide_password=False))
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


async def phase(url: str, fake: FakeWorkspace, *, instances: int, shared: bool, targets: int,
                limit: float, deadline: float, dump: str = "") -> dict[str, Any]:
    db = Database(url)
    async with db.session() as session:
        await session.exec(text(f"TRUNCATE {', '.join(TABLES[:3])}, delivery_budget"))  # type: ignore[call-overload]
    fake.reset(targets)
    outbox = Outbox(db, None, clock=SystemClock(), metrics=Metrics(),  # type: ignore[arg-type]
                    settings=settings(limit, shared))
    items = [Delivery(OutgoingMessage("Bench"), address=Address("slack", WORKSPACE, f"C{i:05d}"))
             for i in range(targets)]
    await outbox.enqueue(items, batch=f"bench-{uuid.uuid4().hex[:8]}")
    await db.dispose()
    base_url = f"http://127.0.0.1:{fake.port}/api/"
    traces = [Path(tempfile.gettempdir()) / f"hartslag-bench-{uuid.uuid4().hex[:8]}.json"
              for _ in range(instances)]
    procs = [await asyncio.create_subprocess_exec(
        sys.executable, __file__, "--worker", url, base_url, str(limit),
        "1" if shared else "0", str(deadline), str(trace), stdout=asyncio.subprocess.DEVNULL)
        for trace in traces]
    try:
        with contextlib.suppress(TimeoutError):  # bounded: what landed by then is measured
            await asyncio.wait_for(fake.done.wait(), deadline)
        await asyncio.sleep(0.5)  # anything posted twice would land now
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                await asyncio.wait_for(proc.wait(), 10)
            except TimeoutError:
                proc.kill()
    posts = merge(traces, fake.arrivals)
    if dump:  # every post's times, for a closer look at the busiest second
        await asyncio.to_thread(
            Path(f"{dump}-{instances}-{'shared' if shared else 'local'}.json").write_text,
            json.dumps(posts))
    times = sorted(fake.times)
    span = times[-1] - times[0] if len(times) > 1 else 0.0
    rate = (len(times) - 1) / span if span else 0.0
    budget = limit * HEADROOM
    return {
        "instances": instances, "shared_budget": shared, "posts": len(times),
        "rate": round(rate, 2), "fraction_of_budget": round(rate / budget, 3),
        "max_1s": max_window(times), "duplicates": sum(n - 1 for n in fake.channels.values()
                                                      if n > 1),
        "lost": targets - len(fake.channels), "seconds": round(span, 2),
        **timing(posts),
    }


async def main(args: argparse.Namespace) -> None:
    base = args.pg_url or os.environ.get("HARTSLAG_TEST_POSTGRES_URL", "")
    if not base:
        raise SystemExit("set HARTSLAG_TEST_POSTGRES_URL or --pg-url (PostgreSQL is needed)")
    name = f"hartslag_bench_{uuid.uuid4().hex[:8]}"
    url = make_url(base).set(drivername="postgresql", database=name)
    rendered = url.render_as_string(hide_password=False)
    await admin(base, f'CREATE DATABASE "{name}"')
    fake = FakeWorkspace()
    await fake.start()
    try:
        db = Database(rendered)
        async with db.engine.begin() as conn:
            await conn.run_sync(lambda c: metadata.create_all(
                c, tables=[metadata.tables[t] for t in TABLES]))
        await db.dispose()
        kw = {"targets": args.targets, "limit": args.limit, "deadline": args.deadline,
              "dump": args.dump}
        one = await phase(rendered, fake, instances=1, shared=True, **kw)
        two = await phase(rendered, fake, instances=2, shared=True, **kw)
        local = await phase(rendered, fake, instances=2, shared=False, **kw)
    finally:
        await fake.stop()
        await admin(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    print(json.dumps({
        "benchmark": "fanout_instances", "platform_limit_per_s": args.limit,
        "budget_per_s": round(args.limit * HEADROOM, 2), "burst": BURST,
        "targets": args.targets, "one_instance": one, "two_instances": two,
        "two_instances_local": local,
        "two_vs_one": round(two["rate"] / one["rate"], 3) if one["rate"] else None,
    }))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        _, _, url, base_url, limit, shared, deadline, trace_path = sys.argv
        asyncio.run(worker(url, base_url, float(limit), shared == "1", float(deadline),
                           trace_path))
    else:
        parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
        parser.add_argument("--targets", type=int, default=300)
        parser.add_argument("--limit", type=float, default=50.0,
                            help="the platform's posts/s per workspace (budget = 95%%)")
        parser.add_argument("--deadline", type=float, default=40.0, help="seconds per phase")
        parser.add_argument("--pg-url", default="")
        parser.add_argument("--dump", default="", help="write each phase's per-post times "
                            "to <DUMP>-<instances>-<shared|local>.json")
        asyncio.run(main(parser.parse_args()))

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
        self.times.append(time.monotonic())
        if len(self.times) >= self.expect:
            self.done.set()
        self.channels[str(args["channel"])] += 1
        self._ts += 1
        return web.json_response({"ok": True, "channel": args["channel"],
                                  "ts": f"1700000000.{self._ts:06d}"})

    def reset(self, expect: int) -> None:
        self.times.clear()
        self.channels.clear()
        self.expect = expect
        self.done = asyncio.Event()


def max_window(times: list[float], width: float = 1.0) -> int:
    ordered = sorted(times)
    return max((bisect.bisect_right(ordered, t + width) - i for i, t in enumerate(ordered)),
               default=0)


# -- one instance (child process) ------------------------------------------------------------
async def worker(url: str, base_url: str, limit: float, shared: bool, deadline: float) -> None:
    import aiohttp
    from slack_sdk.web.async_client import AsyncWebClient

    from bots.slack.port import SlackPort

    db = Database(url)
    session = aiohttp.ClientSession()  # one connection pool, as a long-running app keeps
    client = AsyncWebClient(token="xoxb-bench", base_url=base_url, timeout=10,
                            session=session)
    outbox = Outbox(db, SlackPort(client, workspace=WORKSPACE), clock=SystemClock(),
                    metrics=Metrics(), settings=settings(limit, shared))
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
                limit: float, deadline: float) -> dict[str, Any]:
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
    procs = [await asyncio.create_subprocess_exec(
        sys.executable, __file__, "--worker", url, base_url, str(limit),
        "1" if shared else "0", str(deadline), stdout=asyncio.subprocess.DEVNULL)
        for _ in range(instances)]
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
        kw = {"targets": args.targets, "limit": args.limit, "deadline": args.deadline}
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
        _, _, url, base_url, limit, shared, deadline = sys.argv
        asyncio.run(worker(url, base_url, float(limit), shared == "1", float(deadline)))
    else:
        parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
        parser.add_argument("--targets", type=int, default=300)
        parser.add_argument("--limit", type=float, default=50.0,
                            help="the platform's posts/s per workspace (budget = 95%%)")
        parser.add_argument("--deadline", type=float, default=40.0, help="seconds per phase")
        parser.add_argument("--pg-url", default="")
        asyncio.run(main(parser.parse_args()))

"""Fan-out through the outbox against a platform that enforces its budget (loopback only,
in process). Prints ONE JSON line:

- ``fraction_of_budget``: steady-state send rate / the platform's budget (goal >= 0.9);
- ``rejected_429_steady``: 429 answers after the initial burst (goal 0);
- ``duplicates`` / ``lost``: targets posted more than once / never (goal 0);
- ``reference_rate``: a naive sender that paces itself perfectly with ``asyncio.sleep`` and
  calls the platform directly (no database, no crash safety), in the same run;
  ``ratio_to_reference`` = outbox rate / reference rate.

Then the invitation fan-out at organisation size (``--sizes``, ``--full`` for 1,000 to
130,000 recipients; each size in its own process, so its memory is its own): one DM per
person through the outbox with the budget out of the way (the engine is the limit), and
in the same run the bare sender (the fake platform called in a loop: its own cost) and a
naive SQLModel outbox (a row per DM, a commit per sent row). Per size:

- ``engine_cpu_ms_per_dm``: CPU of enqueue + dispatch per DM minus the bare sender's;
- ``delivered`` / ``duplicates`` / ``lost`` against the recipients (goal 0 / 0);
- ``progress_ms``: the batch progress query with every row in the table;
- ``rss_peak_mb``: peak RSS of the process (goal <= 300 MB at 130,000).

    .venv/bin/python benchmarks/fanout.py [--targets 400] [--budget 100] [--sizes 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from commands.clock import SystemClock
from commands.delivery import Delivery
from commands.metrics import Metrics
from commands.model import OutgoingMessage, UserRef
from commands.port import DeliveryError
from scheduling.outbox import Outbox
from scheduling.settings import DeliverySettings, PlatformLimits
from storage.base import metadata
from storage.db import Database
from tests.scheduling.fakes import BudgetPort

TABLES = ("installation", "schedule", "schedule_run", "scheduler_lease", "outbox", "outbox_batch",
          "outbox_message")


class TimedPort(BudgetPort):
    """Records when each accepted post and each 429 happened."""

    def __init__(self, **kwargs: float) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.accepted: list[float] = []
        self.rejected_at: list[float] = []

    def _admit(self, target, channel, delivery_id):  # type: ignore[no-untyped-def]
        try:
            ref = super()._admit(target, channel, delivery_id)
        except DeliveryError:
            self.rejected_at.append(time.monotonic())
            raise
        self.accepted.append(time.monotonic())
        return ref


def steady_rate(times: list[float], burst: int) -> float:
    """Posts per second after the initial burst (the burst is free, not a rate)."""
    times = sorted(times)[burst:]
    return (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 else 0.0


async def outbox_run(targets: int, budget: float, burst: int, tmp: Path) -> dict[str, object]:
    db = Database(f"sqlite:///{tmp / 'bench.db'}")
    async with db.engine.begin() as conn:
        await conn.run_sync(lambda c: metadata.create_all(
            c, tables=[metadata.tables[t] for t in TABLES if t in metadata.tables]))
    port = TimedPort(per_channel=7, channel_burst=7, per_workspace=budget,
                     workspace_burst=burst)
    limits = PlatformLimits(per_channel=7, channel_burst=7, per_workspace=budget,
                            workspace_burst=burst)
    outbox = Outbox(db, port, clock=SystemClock(), metrics=Metrics(),
                    settings=DeliverySettings(limits={"teams": limits}, poll_seconds=0.05))
    message = OutgoingMessage("Hallo allemaal")
    items = [Delivery(message, user=UserRef("teams", f"u{i}", "", "tenant"))
             for i in range(targets)]
    await outbox.enqueue(items, batch="bench")
    await outbox.start()
    for _ in range(int((4 * targets / budget + 10) / 0.25)):  # bounded in time
        if not (await outbox.progress("bench")).pending:
            break
        await asyncio.sleep(0.25)
    await outbox.stop()
    report = await outbox.progress("bench")
    await db.dispose()
    counts = Counter(post.target for post in port.posts)
    first_steady = sorted(port.accepted)[burst] if len(port.accepted) > burst else 0.0
    return {
        "rate": steady_rate(port.accepted, burst),
        "rejected_steady": sum(1 for t in port.rejected_at if t > first_steady),
        "rejected_total": len(port.rejected_at),
        "duplicates": sum(n - 1 for n in counts.values() if n > 1),
        "lost": targets - len(counts),
        "sent": report.sent,
    }


async def reference_run(targets: int, budget: float, burst: int) -> float:
    port = TimedPort(per_channel=7, channel_burst=7, per_workspace=budget,
                     workspace_burst=burst)
    message = OutgoingMessage("Hallo allemaal")
    start = time.monotonic()
    for i in range(targets):
        # Perfect pacing from the start (the burst is spent at once).
        due = start + max(0, i - burst + 1) / budget
        await asyncio.sleep(max(0.0, due - time.monotonic()))
        try:
            await port.send_direct(UserRef("teams", f"u{i}", "", "tenant"), message)
        except DeliveryError:
            await asyncio.sleep(0.02)
    return steady_rate(port.accepted, burst)


UNLIMITED = 1e9  # a budget that is never the limit
FULL_SIZES = (1_000, 10_000, 50_000, 130_000)
GOAL_CPU_MS = 1.0
GOAL_RSS_MB = 300.0


def unlimited_port() -> BudgetPort:
    return BudgetPort(per_channel=UNLIMITED, channel_burst=10**9, per_workspace=UNLIMITED,
                      workspace_burst=10**9)


def recipients(count: int) -> list[UserRef]:
    return [UserRef("teams", f"u{i:07d}", "", "tenant") for i in range(count)]


def invitation() -> OutgoingMessage:
    return OutgoingMessage("**Pulse: hoe gaat het?** Beantwoord de vraag met de knop.",
                           title="Pulse")


async def scale_outbox(count: int, tmp: Path) -> dict[str, Any]:
    """``count`` DMs through enqueue and the dispatch loop; CPU is this process's."""
    db = Database(f"sqlite:///{tmp / 'scale.db'}")
    async with db.engine.begin() as conn:
        await conn.run_sync(lambda c: metadata.create_all(
            c, tables=[metadata.tables[t] for t in TABLES if t in metadata.tables]))
    port = unlimited_port()
    limits = PlatformLimits(per_channel=UNLIMITED, channel_burst=10**9,
                            per_workspace=UNLIMITED, workspace_burst=10**9)
    outbox = Outbox(db, port, clock=SystemClock(), metrics=Metrics(),
                    settings=DeliverySettings(limits={"teams": limits}, poll_seconds=0.05))
    message = invitation()
    items = [Delivery(message, user=user) for user in recipients(count)]
    cpu, wall = time.process_time(), time.perf_counter()
    await outbox.enqueue(items, batch="invite")
    enqueue_cpu, enqueue_wall = time.process_time() - cpu, time.perf_counter() - wall
    del items
    await outbox.start()
    deadline = time.monotonic() + 60 + count / 100  # bounded: 100 DMs/s at the very least
    # Polling the fake's list on purpose (the CPU figure is the engine's: a progress query
    # every poll would be counted against it); the table is asked once everything was posted.
    while time.monotonic() < deadline and len(port.posts) < count:  # noqa: ASYNC110
        await asyncio.sleep(0.1)
    while time.monotonic() < deadline and (await outbox.progress("invite")).pending:  # noqa: ASYNC110
        await asyncio.sleep(0.5)
    drain_cpu, drain_wall = time.process_time() - cpu - enqueue_cpu, \
        time.perf_counter() - wall - enqueue_wall
    await outbox.stop()
    started = time.perf_counter()
    report = await outbox.progress("invite")
    progress_ms = (time.perf_counter() - started) * 1000
    await db.dispose()
    counts = Counter(post.target for post in port.posts)
    return {"enqueue_s": round(enqueue_wall, 2), "dispatch_s": round(drain_wall, 2),
            "cpu_s": enqueue_cpu + drain_cpu, "enqueue_cpu_s": round(enqueue_cpu, 2),
            "progress_ms": round(progress_ms, 1), "sent": report.sent,
            "delivered": len(counts), "duplicates": sum(n - 1 for n in counts.values()),
            "lost": count - len(counts)}


async def scale_bare(count: int) -> float:
    """CPU of the fake platform itself: the same sends in a plain loop."""
    port, message = unlimited_port(), invitation()
    cpu = time.process_time()
    for user in recipients(count):
        await port.send_direct(user, message)
    return time.process_time() - cpu


PEER_SQL = """
from sqlmodel import Field, SQLModel
class PeerOutbox(SQLModel, table=True):
    __tablename__ = "peer_outbox"
    id: int | None = Field(default=None, primary_key=True)
    target: str = Field(index=True)
    body: str
    sent: bool = Field(default=False, index=True)
"""


PEER_SAMPLE = 5_000  # the peer sends this many of its rows (at ~300/s it would take minutes)


async def scale_peer(count: int, tmp: Path) -> dict[str, float]:
    """A naive SQLModel outbox: one ORM row per DM, then take 100 pending rows at a time,
    send each and commit each (what makes a crash lose at most one message). Every row is
    stored; the first ``PEER_SAMPLE`` are sent (its cost per DM is flat or rising)."""
    from sqlalchemy.ext.asyncio import create_async_engine
    from sqlmodel import SQLModel, select
    from sqlmodel.ext.asyncio.session import AsyncSession

    namespace: dict[str, Any] = {}
    exec(PEER_SQL, namespace)  # its own table class, outside the project's metadata
    row_type = namespace["PeerOutbox"]
    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp / 'peer.db'}")
    async with engine.begin() as conn:
        await conn.run_sync(SQLModel.metadata.create_all, tables=[row_type.__table__])
    port, message = unlimited_port(), invitation()
    body = json.dumps({"markdown": message.markdown, "title": message.title})
    cpu, wall = time.process_time(), time.perf_counter()
    async with AsyncSession(engine) as session:
        session.add_all(row_type(target=user.key, body=body) for user in recipients(count))
        await session.commit()
    async with AsyncSession(engine, expire_on_commit=False) as session:
        while True:
            rows = list(await session.exec(select(row_type).where(
                row_type.sent == False).limit(100)))  # noqa: E712 (SQL, not Python)
            if not rows or len(port.posts) >= min(count, PEER_SAMPLE):
                break
            for row in rows:
                platform, _, person = row.target.partition(":")
                await port.send_direct(UserRef(platform, person, "", "tenant"), message)
                row.sent = True
                session.add(row)
                await session.commit()
    result = {"cpu_s": time.process_time() - cpu, "wall_s": time.perf_counter() - wall,
              "delivered": len({post.target for post in port.posts}),
              "sent": len(port.posts)}
    await engine.dispose()
    return result


async def scale_one(count: int) -> dict[str, Any]:
    gc.collect()
    gc.freeze()  # the imports: the same in every process, not the fan-out's
    from benchmarks._harness import rss_mb

    with tempfile.TemporaryDirectory() as tmp:
        ours = await scale_outbox(count, Path(tmp))
        outbox_rss, outbox_peak = rss_mb(os.getpid())  # before the peer's ORM objects
        bare = await scale_bare(count)
        peer = await scale_peer(count, Path(tmp))
    peak = rss_mb(os.getpid())[1]
    engine_ms = max(0.0, ours["cpu_s"] - bare) * 1000 / count
    peer_ms = max(0.0, peer["cpu_s"] - bare * peer["sent"] / count) * 1000 / peer["sent"]
    return {"benchmark": "fanout_scale", "recipients": count, **ours,
            "cpu_s": round(ours["cpu_s"], 2),
            "engine_cpu_ms_per_dm": round(engine_ms, 3),
            "bare_cpu_ms_per_dm": round(bare * 1000 / count, 3),
            "peer": {"kind": "SQLModel row per DM, commit per sent row",
                     "cpu_ms_per_dm": round(peer_ms, 3), "wall_s": round(peer["wall_s"], 2),
                     "sent": peer["sent"], "lost": int(peer["sent"] - peer["delivered"])},
            "cpu_ratio_to_peer": round(engine_ms / peer_ms, 2) if peer_ms else None,
            "rss_mb": outbox_rss, "rss_peak_mb": outbox_peak, "rss_peak_with_peer_mb": peak,
            "goal_met": ours["lost"] == ours["duplicates"] == 0 and engine_ms <= GOAL_CPU_MS
            and (count < 130_000 or outbox_peak <= GOAL_RSS_MB)}


def scale_curve(sizes: list[int]) -> list[dict[str, Any]]:
    """Each size in a fresh process (its RSS is its own), bounded in time."""
    runs = []
    for size in sizes:
        done = subprocess.run([sys.executable, __file__, "--one-size", str(size)],
                              capture_output=True, text=True, timeout=120 + size / 100,
                              check=False)
        lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
        if done.returncode or not lines:
            raise RuntimeError(f"fan-out of {size}: {done.stderr.strip()[-300:]}")
        runs.append(json.loads(lines[-1]))
        print(lines[-1], flush=True)
    return runs


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--targets", type=int, default=400)
    parser.add_argument("--budget", type=float, default=100.0)
    parser.add_argument("--burst", type=int, default=10)
    parser.add_argument("--sizes", default="1000", help="recipients of the scale phase "
                        "(comma-separated; empty: skip it)")
    parser.add_argument("--full", action="store_true",
                        help="scale phase at " + ", ".join(f"{n:,}" for n in FULL_SIZES))
    parser.add_argument("--one-size", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one_size:
        print(json.dumps(await scale_one(args.one_size)))
        return
    sizes = list(FULL_SIZES) if args.full else [int(n) for n in args.sizes.split(",") if n]
    curve = scale_curve(sizes)
    with tempfile.TemporaryDirectory() as tmp:
        result = await outbox_run(args.targets, args.budget, args.burst, Path(tmp))
    reference = await reference_run(args.targets, args.budget, args.burst)
    rate = float(result["rate"])  # type: ignore[arg-type]
    print(json.dumps({
        "benchmark": "fanout",
        "targets": args.targets,
        "budget_per_s": args.budget,
        "rate_per_s": round(rate, 2),
        "fraction_of_budget": round(rate / args.budget, 3),
        "rejected_429_steady": result["rejected_steady"],
        "rejected_429_total": result["rejected_total"],
        "duplicates": result["duplicates"],
        "lost": result["lost"],
        "reference_rate_per_s": round(reference, 2),
        "ratio_to_reference": round(rate / reference, 3) if reference else None,
        "scale": [{k: r[k] for k in ("recipients", "engine_cpu_ms_per_dm", "cpu_ratio_to_peer",
                                     "delivered", "duplicates", "lost", "progress_ms",
                                     "rss_peak_mb", "goal_met")} for r in curve],
    }))


if __name__ == "__main__":
    asyncio.run(main())

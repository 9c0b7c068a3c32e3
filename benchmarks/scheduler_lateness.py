"""How late the scheduler runs a slot: from the slot time to the job starting, through the
real path (APScheduler timer -> run ledger claim in SQLite -> runner). Prints ONE JSON line
with p50/p99/max lateness in seconds (goal p99 <= 1 s), and a reference measured in the same
run: bare APScheduler ``AsyncIOScheduler`` firing ``DateTrigger`` jobs at the same kind of
times (no database), with the ratio of the p99s.

    .venv/bin/python benchmarks/scheduler_lateness.py [--slots 200] [--spread 4]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger

from commands.clock import SystemClock
from commands.metrics import Metrics
from commands.schedule import Trigger
from scheduling.engine import Scheduler
from scheduling.settings import SchedulerSettings
from storage.base import metadata
from storage.db import Database

TABLES = ("schedule", "schedule_run", "scheduler_lease")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def slot_times(slots: int, spread: float) -> list[datetime]:
    # Leave time to store every schedule first: the benchmark measures firing, not adding.
    start = datetime.now(UTC) + timedelta(seconds=1.0 + slots * 0.006)
    return [start + timedelta(seconds=spread * i / slots) for i in range(slots)]


async def hartslag_run(slots: int, spread: float, tmp: Path) -> list[float]:
    db = Database(f"sqlite:///{tmp / 'lateness.db'}")
    async with db.engine.begin() as conn:
        await conn.run_sync(lambda c: metadata.create_all(
            c, tables=[metadata.tables[t] for t in TABLES]))
    late: list[float] = []

    async def runner(kind: str, payload: Mapping[str, Any]) -> None:
        slot = datetime.fromisoformat(payload["_schedule"]["slot"])
        late.append((datetime.now(UTC) - slot).total_seconds())

    scheduler = Scheduler(db, clock=SystemClock(), runner=runner, metrics=Metrics(),
                          settings=SchedulerSettings(refresh_seconds=1, lease_seconds=5))
    await scheduler.start()
    for _ in range(100):
        if scheduler.is_leader:
            break
        await asyncio.sleep(0.02)
    for at in slot_times(slots, spread):
        await scheduler.add("bench.tick", Trigger("once", at=at), {})
    for _ in range(int((spread + 10) / 0.05)):
        if len(late) >= slots:
            break
        await asyncio.sleep(0.05)
    await scheduler.stop()
    await db.dispose()
    return late


async def reference_run(slots: int, spread: float) -> list[float]:
    late: list[float] = []

    async def job(at: datetime) -> None:
        late.append((datetime.now(UTC) - at).total_seconds())

    timer = AsyncIOScheduler(timezone=UTC)
    timer.start()
    for i, at in enumerate(slot_times(slots, spread)):
        timer.add_job(job, DateTrigger(run_date=at), args=[at], id=f"ref{i}",
                      misfire_grace_time=None)
    for _ in range(int((spread + 10) / 0.05)):
        if len(late) >= slots:
            break
        await asyncio.sleep(0.05)
    timer.shutdown(wait=False)
    return late


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--slots", type=int, default=200)
    parser.add_argument("--spread", type=float, default=4.0, help="seconds the slots span")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        late = await hartslag_run(args.slots, args.spread, Path(tmp))
    reference = await reference_run(args.slots, args.spread)
    p99, ref_p99 = percentile(late, 0.99), percentile(reference, 0.99)
    print(json.dumps({
        "benchmark": "scheduler_lateness",
        "slots": args.slots,
        "fired": len(late),
        "p50_s": round(statistics.median(late), 4),
        "p99_s": round(p99, 4),
        "max_s": round(max(late), 4),
        "reference_p50_s": round(statistics.median(reference), 4),
        "reference_p99_s": round(ref_p99, 4),
        "p99_ratio_to_reference": round(p99 / ref_p99, 2) if ref_p99 > 0 else None,
    }))


if __name__ == "__main__":
    asyncio.run(main())

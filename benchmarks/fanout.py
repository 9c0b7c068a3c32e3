"""Fan-out through the outbox against a platform that enforces its budget (loopback only,
in process). Prints ONE JSON line:

- ``fraction_of_budget``: steady-state send rate / the platform's budget (goal >= 0.9);
- ``rejected_429_steady``: 429 answers after the initial burst (goal 0);
- ``duplicates`` / ``lost``: targets posted more than once / never (goal 0);
- ``reference_rate``: a naive sender that paces itself perfectly with ``asyncio.sleep`` and
  calls the platform directly (no database, no crash safety), in the same run;
  ``ratio_to_reference`` = outbox rate / reference rate.

    .venv/bin/python benchmarks/fanout.py [--targets 400] [--budget 100]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

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

TABLES = ("schedule", "schedule_run", "scheduler_lease", "outbox", "outbox_batch",
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
            c, tables=[metadata.tables[t] for t in TABLES]))
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


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--targets", type=int, default=400)
    parser.add_argument("--budget", type=float, default=100.0)
    parser.add_argument("--burst", type=int, default=10)
    args = parser.parse_args()
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
    }))


if __name__ == "__main__":
    asyncio.run(main())

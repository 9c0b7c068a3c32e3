"""One ``hartslag run``-like instance for the multi-instance test: the scheduler (leader
election by row lease) and the outbox dispatcher on a shared database.

    python -m tests.scheduling.instance_worker <database url> <record file> <jobs dir>

Scheduled jobs append one JSON line per run to ``<jobs dir>/<pid>.jsonl`` (O_APPEND: a
SIGKILL never leaves half a line). Runs until killed.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from commands.clock import SystemClock
from commands.metrics import Metrics
from scheduling.engine import Scheduler
from scheduling.outbox import Outbox
from scheduling.settings import DeliverySettings, PlatformLimits, SchedulerSettings
from storage.db import Database
from tests.scheduling.recording_platform import RecordingPlatform

SCHEDULER = SchedulerSettings(lease_seconds=2.0, refresh_seconds=0.3)
LIMIT = PlatformLimits(per_channel=0, per_workspace=150, workspace_burst=10)
DELIVERY = DeliverySettings(limits={"slack": LIMIT, "matrix": LIMIT}, lease_seconds=2.0,
                            poll_seconds=0.05, idempotent_platforms=["matrix"])


async def main(url: str, record: Path, jobs: Path) -> None:
    db = Database(url)
    fd = os.open(jobs / f"{os.getpid()}.jsonl", os.O_WRONLY | os.O_CREAT | os.O_APPEND)

    async def runner(kind: str, payload: Mapping[str, Any]) -> None:
        line = {"kind": kind, "pid": os.getpid(), **payload.get("_schedule", {})}
        os.write(fd, (json.dumps(line) + "\n").encode())

    clock = SystemClock()
    scheduler = Scheduler(db, clock=clock, runner=runner, metrics=Metrics(), settings=SCHEDULER)
    outbox = Outbox(db, RecordingPlatform(record, pid=os.getpid()), clock=clock,
                    metrics=Metrics(), settings=DELIVERY)
    await scheduler.start()
    await outbox.start()
    print("started", flush=True)
    try:
        await asyncio.sleep(120)  # bounded; the test kills it long before
    finally:
        await outbox.stop()
        await scheduler.stop()
        await db.dispose()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])))

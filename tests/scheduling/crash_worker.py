"""A sender process for the crash test: runs the outbox until nothing is left, then exits.
The test kills it with SIGKILL at random moments and starts it again.

    python -m tests.scheduling.crash_worker <database url> <record file>
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from commands.clock import SystemClock
from commands.metrics import Metrics
from scheduling.outbox import Outbox
from scheduling.settings import DeliverySettings, PlatformLimits
from storage.db import Database
from storage.outbox import OutboxRepository
from tests.scheduling.recording_platform import RecordingPlatform

UNLIMITED = PlatformLimits(per_channel=0, per_workspace=0)
SETTINGS = DeliverySettings(
    limits={p: UNLIMITED for p in ("slack", "teams", "matrix")},
    poll_seconds=0.05, lease_seconds=5, max_in_flight=32, idempotent_platforms=["matrix"],
)


async def main(url: str, record: Path) -> int:
    db = Database(url)
    port = RecordingPlatform(record, pid=os.getpid())
    outbox = Outbox(db, port, clock=SystemClock(), metrics=Metrics(), settings=SETTINGS)
    repo = OutboxRepository(db)
    await outbox.start()
    print("started", flush=True)
    try:
        for _ in range(6000):  # bounded: at most ~5 minutes
            if await repo.depth() == 0:
                return 0
            await asyncio.sleep(0.05)
        return 1
    finally:
        await outbox.stop()
        await db.dispose()


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1], Path(sys.argv[2]))))

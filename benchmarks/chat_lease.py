"""What the chat's lease check costs per script line (issue 18 finding 10).

Before each line's scheduled work the chat renews its scheduler lease (one small write), so a
stalled pipe can never let it run slots under a server's lease. Measured against the work
every line did already (``run_due`` + ``drain`` with nothing due), on a migrated SQLite file
in a temporary directory, in the same run. Bounded: ROUNDS calls of each. Prints JSON.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bots.app import App
from bots.config import DEMO_DEFAULTS, parse_config
from commands.clock import FakeClock

ROUNDS = 300


async def measure() -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        data = {k: dict(v) if isinstance(v, dict) else v for k, v in DEMO_DEFAULTS.items()}
        data["storage"] = {"url": f"sqlite:///{Path(folder) / 'bench.db'}"}
        data["local"] = {**DEMO_DEFAULTS["local"], "files_dir": str(Path(folder) / "files")}
        config = parse_config(data, env={})
        app = App(config, clock=FakeClock(datetime.now(UTC)), adapters=[])
        await app.start(serve_http=False, run_adapters=False, scheduler_timer=False)
        try:
            assert await app.scheduler.hold_lease() is None
            lease, line = [], []
            for _ in range(ROUNDS):
                start = time.perf_counter()
                await app.scheduler.hold_lease()
                lease.append(time.perf_counter() - start)
                start = time.perf_counter()
                await app.scheduler.run_due()
                await app.outbox.drain()
                line.append(time.perf_counter() - start)
            await app.scheduler.release_lease()
        finally:
            await app.stop()
    return {"rounds": ROUNDS,
            "lease_renew_ms_median": round(statistics.median(lease) * 1000, 3),
            "reference_line_work_ms_median": round(statistics.median(line) * 1000, 3),
            "lease_share_of_line": round(statistics.median(lease) / statistics.median(line), 3)}


if __name__ == "__main__":
    print(json.dumps(asyncio.run(measure())))

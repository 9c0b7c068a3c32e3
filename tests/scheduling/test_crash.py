"""``kill -9`` at random points during a 2,000-target fan-out, then restart: exactly one
message per target, nothing lost, nothing uncertain."""

from __future__ import annotations

import asyncio
import random
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from commands.clock import SystemClock
from commands.delivery import Delivery
from commands.metrics import Metrics
from commands.model import Address, OutgoingMessage, UserRef
from commands.port import MultiPort
from scheduling.outbox import Outbox
from storage.db import Database
from tests.scheduling.crash_worker import SETTINGS
from tests.scheduling.recording_platform import open_record

ROOT = Path(__file__).resolve().parents[2]
TARGETS = 2000
KILLS = 5


def fan_out() -> list[Delivery]:
    message = OutgoingMessage("Belangrijk bericht")
    items: list[Delivery] = []
    for i in range(TARGETS):
        if i % 3 == 0:
            items.append(Delivery(message, address=Address("slack", "T1", f"C{i}")))
        elif i % 3 == 1:
            items.append(Delivery(message, user=UserRef("matrix", f"@u{i}:hs", "", "hs")))
        else:
            items.append(Delivery(message, address=Address("teams", "tenant", f"19:c{i}")))
    return items


def target_key(item: Delivery) -> str:
    if item.address is not None:
        return str(item.address)
    assert item.user is not None
    return item.user.key


def start_worker(url: str, record: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.scheduling.crash_worker", url, str(record)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )


@pytest.fixture
def crash_url(sqlite_url: str) -> str:
    """SQLite: the single-writer deployment. PostgreSQL gets its kill test with two live
    instances in test_instances.py (kept apart to stay within the suite's time budget)."""
    return sqlite_url


async def test_kill_minus_nine_during_fan_out_then_restart(
    crash_url: str, tmp_path: Path
) -> None:
    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    record = tmp_path / "platform.db"
    open_record(record).close()
    db = Database(crash_url)
    outbox = Outbox(db, MultiPort({}), clock=SystemClock(), metrics=Metrics(), settings=SETTINGS)
    await outbox.enqueue(fan_out(), batch="crash")
    kills = 0
    for _ in range(KILLS):
        worker = start_worker(crash_url, record)
        assert worker.stdout is not None
        assert worker.stdout.readline().strip() == "started"
        await asyncio.sleep(rng.uniform(0.05, 0.6))  # a random point in the fan-out
        if worker.poll() is None:
            worker.kill()  # SIGKILL: no clean-up at all
            kills += 1
        worker.wait(timeout=30)
    final = start_worker(crash_url, record)
    assert final.wait(timeout=120) == 0, f"seed {seed}"

    conn = open_record(record)
    posts = Counter(target for (target,) in conn.execute("SELECT target FROM post"))
    senders = {pid for (pid,) in conn.execute("SELECT DISTINCT pid FROM post")}
    conn.close()
    report = await outbox.report("crash")
    await db.dispose()
    expected = {target_key(d) for d in fan_out()}
    duplicates = {t: n for t, n in posts.items() if n > 1}
    assert not duplicates, f"seed {seed}: posted twice: {list(duplicates)[:5]}"
    assert set(posts) == expected, f"seed {seed}: lost {len(expected - set(posts))}"
    assert (report.sent, report.pending, report.failed, report.uncertain) == (TARGETS, 0, 0, 0)
    assert kills >= 1 and len(senders) >= 2, f"seed {seed}: no kill landed mid fan-out"
    print(f"seed {seed}: {kills} kills, {len(senders)} sender processes")

"""Two instances on one PostgreSQL database, the scheduler leader killed with SIGKILL mid-run:
no slot fires twice, no message is sent twice, and the survivor carries on."""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from commands.clock import SystemClock
from commands.delivery import Delivery
from commands.metrics import Metrics
from commands.model import Address, OutgoingMessage, UserRef
from commands.port import MultiPort
from commands.schedule import Trigger
from scheduling.engine import Scheduler
from scheduling.outbox import Outbox
from storage.db import Database
from storage.scheduling import ScheduleRepository
from tests.scheduling.conftest import truncate
from tests.scheduling.recording_platform import open_record

ROOT = Path(__file__).resolve().parents[2]
SCHEDULES = 30
TARGETS = 600

pytestmark = pytest.mark.postgres


def start(url: str, record: Path, jobs: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.scheduling.instance_worker", url, str(record), str(jobs)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )


async def leader_pid(db: Database) -> int | None:
    async with db.session(readonly=True) as session:
        row = (await session.exec(text(  # type: ignore[call-overload]
            "SELECT holder FROM scheduler_lease WHERE name = 'scheduler'"))).first()
    return int(row[0].split(":")[1]) if row else None


async def wait_for(predicate: object, *, seconds: float) -> bool:
    for _ in range(int(seconds / 0.1)):
        if await predicate():  # type: ignore[operator]
            return True
        await asyncio.sleep(0.1)
    return False


async def test_two_instances_one_killed(pg_url: str, tmp_path: Path) -> None:
    await truncate(pg_url)
    db = Database(pg_url)
    record, jobs = tmp_path / "platform.db", tmp_path / "jobs"
    jobs.mkdir()
    open_record(record).close()

    async def noop(kind: str, payload: object) -> None:
        return None

    scheduler = Scheduler(db, clock=SystemClock(), runner=noop, metrics=Metrics())
    outbox = Outbox(db, MultiPort({}), clock=SystemClock(), metrics=Metrics())
    message = OutgoingMessage("Hallo")
    items = [Delivery(message, address=Address("slack", "T1", f"C{i}")) if i % 2 else
             Delivery(message, user=UserRef("matrix", f"@u{i}:hs", "", "hs"))
             for i in range(TARGETS)]

    workers = [start(pg_url, record, jobs) for _ in range(2)]
    try:
        for worker in workers:
            assert worker.stdout is not None and worker.stdout.readline().strip() == "started"
        # Work starts once both run (however slow the machine): slots over the next seconds.
        first_slot = datetime.now(UTC) + timedelta(seconds=1)
        for i in range(SCHEDULES):
            at = first_slot + timedelta(seconds=0.2 * i)
            await scheduler.add("demo.tick", Trigger("once", at=at), {"i": i})
        await outbox.enqueue(items, batch="multi")
        assert await wait_for(lambda: _some_ran(jobs), seconds=30), "no slot ran"
        pid = await leader_pid(db)
        victim = next(w for w in workers if w.pid == pid)
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=10)
        repo = ScheduleRepository(db)

        async def finished() -> bool:
            return (await repo.count_runs(state="done") == SCHEDULES
                    and (await outbox.progress("multi")).pending == 0)

        assert await wait_for(finished, seconds=90), "the survivor did not carry on"
        survivor = next(w for w in workers if w is not victim)
        assert survivor.poll() is None
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
            worker.wait(timeout=10)

    lines = _job_lines(jobs)
    fired = Counter(line["id"] for line in lines)
    runs = {run.schedule_id: run for sid in fired for run in await repo.runs(sid)}
    twice = [sid for sid, n in fired.items() if n > 1 and runs[sid].attempts < 2]
    assert not twice, f"fired twice: {twice}"
    assert len(fired) == SCHEDULES
    runners = {line["pid"] for line in lines}
    assert victim.pid in runners and survivor.pid in runners  # the survivor took over

    conn = open_record(record)
    posts = Counter(t for (t,) in conn.execute("SELECT target FROM post"))
    senders = {p for (p,) in conn.execute("SELECT DISTINCT pid FROM post")}
    conn.close()
    assert len(posts) == TARGETS and set(posts.values()) == {1}
    assert survivor.pid in senders and senders <= {victim.pid, survivor.pid}
    report = await outbox.progress("multi")
    assert (report.sent, report.uncertain, report.failed) == (TARGETS, 0, 0)
    await db.dispose()


async def _some_ran(jobs: Path) -> bool:
    return bool(_job_lines(jobs))


def _job_lines(jobs: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for path in jobs.glob("*.jsonl")
            for line in path.read_text().splitlines()]

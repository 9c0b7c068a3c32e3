"""Issue 18 finding 10 and issue 20 item 10: ``hartslag chat`` next to a running server.

The chat keeps to its own demo database (never ./hartslag.db of a server in the same
folder), refuses a database whose scheduler lease a live server holds, gives its lease back
when it ends, and keeps log lines out of the transcript. The "server" is a real Scheduler on
the system clock in this test process, holding the lease the way ``hartslag run`` does; the
chat is the real CLI in a subprocess, so the lease is judged across processes.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import AsyncIterator, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from commands.clock import SystemClock
from commands.metrics import Metrics
from commands.schedule import Trigger
from scheduling.engine import Scheduler
from scheduling.settings import SchedulerSettings
from storage.db import Database
from storage.scheduling import ScheduleRepository

ROOT = Path(__file__).resolve().parents[2]


class Server:
    """A running server's scheduler, with an announcement planned for tomorrow."""

    def __init__(self, db: Database, scheduler: Scheduler, schedule_id: int) -> None:
        self.db, self.scheduler, self.schedule_id = db, scheduler, schedule_id
        self.calls: list[str] = []

    async def runs(self) -> int:
        return len(await ScheduleRepository(self.db).runs(self.schedule_id))


@pytest.fixture
async def server(db_url: str) -> AsyncIterator[Server]:
    db = Database(db_url)
    calls: list[str] = []

    async def runner(kind: str, payload: Mapping[str, Any]) -> None:
        calls.append(kind)

    scheduler = Scheduler(db, clock=SystemClock(), runner=runner, metrics=Metrics(),
                          settings=SchedulerSettings(lease_seconds=15, refresh_seconds=1))
    await scheduler.start()
    for _ in range(100):  # bounded: the first lease round runs at once
        if scheduler.is_leader:
            break
        await asyncio.sleep(0.05)
    assert scheduler.is_leader
    tomorrow = datetime.now(UTC) + timedelta(hours=20)  # within the chat's `wait 1d`
    schedule_id = await scheduler.add("announcements.post", Trigger("once", at=tomorrow),
                                      {"id": 1})
    found = Server(db, scheduler, schedule_id)
    found.calls = calls
    try:
        yield found
    finally:
        await scheduler.stop()
        await db.dispose()


async def chat(cwd: Path, script: str, *args: str) -> tuple[int, str, str]:
    """``python -m bots.cli chat`` with a script on stdin; the event loop stays free, so the
    server's lease keeps being renewed meanwhile."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HARTSLAG_", "XDG_"))}
    env |= {"PYTHONPATH": str(ROOT), "XDG_STATE_HOME": str(cwd / "state")}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bots.cli", "chat", *args, cwd=cwd, env=env,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE)
    try:
        out, err = await asyncio.wait_for(process.communicate(script.encode()), timeout=120)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise
    return int(process.returncode or 0), out.decode(), err.decode()


def log_lines(text: str) -> list[dict[str, Any]]:
    found = []
    for line in text.splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict) and "level" in record:
            found.append(record)
    return found


async def test_a_chat_in_the_folder_of_a_running_server_keeps_to_its_own_database(
        server: Server, tmp_path: Path) -> None:
    """The reported case: the server's ./hartslag.db, a chat started in the same folder,
    ``wait 1d``. The server's announcement for tomorrow must not fire."""
    assert (tmp_path / "hartslag.db").exists()
    code, out, err = await chat(tmp_path, "@anna\ndm\n/hartslag help\nwait 1d\n")
    assert code == 0, err[-2000:]
    assert "wat je hier kunt doen" in out
    assert await server.runs() == 0 and server.calls == []
    assert (tmp_path / "state" / "hartslag" / "chat.db").exists()


async def test_the_chat_refuses_a_database_whose_lease_a_live_server_holds(
        server: Server, tmp_path: Path) -> None:
    code, out, err = await chat(tmp_path, "@anna\nwait 1d\n", "--db", "hartslag.db")
    assert code == 2
    assert "in gebruik door een draaiende server" in err and "in use by a running server" in err
    assert server.scheduler.instance in err  # names the holder
    assert out == ""
    assert await server.runs() == 0 and server.scheduler.is_leader


async def test_a_chat_on_a_database_of_its_own_runs_schedules_and_gives_the_lease_back(
        tmp_path: Path) -> None:
    script = ('@anna\ndm\n/hartslag pulse create "Even checken" --team demo --duration 1d '
              '--q1 "likert: Het gaat goed"\nwait 2d\n')
    code, out, err = await chat(tmp_path, script, "--db", "mine.db", "--start",
                                "2026-11-23T09:00")
    assert code == 0, err[-2000:]
    assert out.count("Even checken") >= 2  # created, then the round's invitations went out
    db = Database(f"sqlite:///{tmp_path / 'mine.db'}")
    try:
        lease = await ScheduleRepository(db).lease("scheduler")
        runs = await ScheduleRepository(db).count_runs(state="done")
    finally:
        await db.dispose()
    assert runs >= 1  # the chat ran its own slots
    assert lease is not None and lease.expires_at <= datetime.now(UTC)  # given back
    assert (tmp_path / "mine.log").exists()


@pytest.mark.parametrize("verbose", [False, True])
async def test_log_lines_stay_out_of_the_transcript(tmp_path: Path, verbose: bool) -> None:
    """Issue 20 item 10: the transcript is the conversation only; logs go to the file next
    to the chat's database, the terminal (stderr) shows warnings only unless --verbose."""
    script = "@joost\n/hartslag help\ndm\nwaar vind ik mijn loonstrook\n"
    code, out, err = await chat(tmp_path, script, *(["--verbose"] if verbose else []))
    assert code == 0, err[-2000:]
    assert "personeelsportaal" in out
    assert log_lines(out) == []
    infos = [r for r in log_lines(err) if r["level"] == "info"]
    assert bool(infos) is verbose
    written = log_lines((tmp_path / "state" / "hartslag" / "chat.log").read_text("utf-8"))
    assert any(r["event"] == "adapter started" for r in written)


async def test_the_lease_is_judged_by_wall_clock_whatever_the_chat_clock_says(
        db_url: str) -> None:
    """A chat's fake clock two days ahead neither steals a live server's lease nor keeps
    one it stopped renewing; the server follows while the chat holds it."""
    from commands.clock import FakeClock

    db = Database(db_url)
    settings = SchedulerSettings(lease_seconds=4.0, refresh_seconds=0.2)

    async def runner(kind: str, payload: Mapping[str, Any]) -> None:
        return None

    ahead = FakeClock(datetime.now(UTC) + timedelta(days=2))
    chat_side = Scheduler(db, clock=ahead, runner=runner, metrics=Metrics(), settings=settings)
    server_side = Scheduler(db, clock=SystemClock(), runner=runner, metrics=Metrics(),
                            settings=settings)
    try:
        assert await chat_side.hold_lease() is None
        await server_side.start()
        await asyncio.sleep(0.5)  # two lease rounds of the server while the chat holds it
        assert await chat_side.hold_lease() is None and not server_side.is_leader
        for _ in range(300):  # the chat stops renewing: the server takes over (bounded)
            if server_side.is_leader:
                break
            await asyncio.sleep(0.05)
        assert server_side.is_leader
        assert await chat_side.hold_lease() == server_side.instance
    finally:
        await chat_side.release_lease()
        await server_side.stop()
        await db.dispose()


async def test_a_chat_that_loses_the_lease_stops_scheduled_work_and_says_so(
        config: Any, capsys: pytest.CaptureFixture[str]) -> None:
    from bots.app import App
    from bots.chat import LeaseKeeper
    from commands.clock import FakeClock

    app = App(config, clock=FakeClock(datetime.now(UTC)), adapters=[])
    await app.open_storage()
    assert await app.scheduler.hold_lease() is None
    await app.start(serve_http=False, scheduler_timer=False)
    keeper = LeaseKeeper(app, run_slots=False)
    try:
        repo = ScheduleRepository(app.db)
        now = datetime.now(UTC)
        await repo.release("scheduler", app.scheduler.instance, now=now)  # the chat stalled
        assert await repo.acquire("scheduler", "elsewhere:1:abc", now=now,
                                  ttl=timedelta(minutes=1)) is not None  # a server took over
        await keeper.renew(force=True)
        assert not keeper.held
        assert "elsewhere:1:abc" in capsys.readouterr().err
    finally:
        await app.stop()

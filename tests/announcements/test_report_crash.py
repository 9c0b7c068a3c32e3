"""Issue 18 finding 4: the author's final report survives a crash between its two writes
(the report's outbox batch and the run's ``reported`` flag).

The crash is simulated where it hurts: whichever of the two writes comes second raises a
``BaseException`` (the engine only catches ``Exception``), so the run stays "running" in the
ledger as after a SIGKILL. A second App on the same database (a restart: another scheduler
instance) recovers the run, and the author must get the report exactly once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import pytest

from bots.app import App
from commands.announcements.lifecycle import POST, REPORT
from storage.announcements import AnnouncementRepository
from tests.announcements.conftest import ANNA, Driver, slack


class Crash(BaseException):
    """The process dying: not an Exception, so nothing on the way records a failure."""


def crash_on_second_write(monkeypatch: pytest.MonkeyPatch, app: App) -> list[str]:
    """Let the first of (report enqueue, mark_reported) commit and kill the second."""
    writes: list[str] = []
    mark = AnnouncementRepository.mark_reported
    enqueue = app.outbox.enqueue

    async def marking(self: AnnouncementRepository, batch: str) -> bool:
        if writes:
            raise Crash
        writes.append("flag")
        return await mark(self, batch)

    async def enqueueing(deliveries: Sequence[Any], *, batch: str, **kw: Any) -> str:
        if batch.endswith(":report"):
            if writes:
                raise Crash
            writes.append("report")
        return await enqueue(deliveries, batch=batch, **kw)

    monkeypatch.setattr(AnnouncementRepository, "mark_reported", marking)
    monkeypatch.setattr(app.outbox, "enqueue", enqueueing)
    return writes


async def test_the_final_report_arrives_after_a_crash_between_its_writes(
        fake: Driver, monkeypatch: pytest.MonkeyPatch) -> None:
    await fake.command('new --title "Weekstart" --body "Goedemorgen." --to slack:C1')
    await fake.press("announcements.confirm", "1")
    assert fake.texts_to(slack("C1")) == ["Goedemorgen."]
    writes = crash_on_second_write(monkeypatch, fake.app)
    with pytest.raises(Crash):
        await fake.advance(timedelta(minutes=5))  # the report job runs and "dies"
    assert len(writes) == 1  # one write committed, the other never happened
    monkeypatch.undo()
    assert not any("bezorgd" in t for t in fake.texts_to(ANNA))

    restarted = App(fake.app.config, clock=fake.clock, adapters=[])
    restarted.port.add("slack", fake.port)
    await restarted.open_storage()
    try:
        fake.clock.advance(timedelta(minutes=11))  # past interrupted_after_seconds: rerun
        assert await restarted.scheduler.recover() == 1
        await restarted.outbox.drain()
        assert await restarted.scheduler.recover() == 0  # nothing left to redo
        await restarted.outbox.drain()
    finally:
        await restarted.db.dispose()
    reports = [t for t in fake.texts_to(ANNA) if "is bezorgd: 1 van 1" in t]
    assert len(reports) == 1, fake.texts_to(ANNA)
    run = (await fake.repo().runs(1))[0]
    assert run.reported


async def test_the_report_is_planned_when_the_post_job_runs_again_after_a_crash(
        fake: Driver, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same audit in ``post``: the run row was recorded, then the process died before
    the report job was planned; the rerun saw the run row and planned nothing."""
    await fake.command('new --title "Weekstart" --body "Goedemorgen." --to slack:C1 '
                       '--at "elke dag 9:30"')
    await fake.press("announcements.confirm", "1")
    add = fake.app.scheduler.add

    async def dying(kind: str, *args: Any, **kw: Any) -> int:
        if kind == REPORT:
            raise Crash
        return await add(kind, *args, **kw)

    payload = {"id": 1, "_schedule": {"id": 1, "slot": "2026-11-23T08:30:00+00:00", "run": 1}}
    monkeypatch.setattr(fake.app.scheduler, "add", dying)
    with pytest.raises(Crash):
        await fake.app.run_job(POST, payload)
    monkeypatch.undo()
    await fake.app.run_job(POST, payload)  # the rerun
    await fake.app.run_job(POST, payload)  # and another: still one report planned
    await fake.app.outbox.drain()
    assert fake.texts_to(slack("C1")) == ["Goedemorgen."]
    await fake.advance(timedelta(minutes=10))
    reports = [t for t in fake.texts_to(ANNA) if "is bezorgd: 1 van 1" in t]
    assert len(reports) == 1, fake.texts_to(ANNA)

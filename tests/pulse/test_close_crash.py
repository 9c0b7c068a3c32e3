"""Issue 18 finding 4 (audit): a crash between closing a round and queueing the author's
results must not lose the results. The close commits first; the rerun of the close job
(the scheduler retries a run a crash interrupted) finds the round closed already."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from typing import Any

import pytest

from commands.pulse.jobs import CLOSE, FORGET
from tests.pulse.conftest import TEAM_PULSE


class Crash(BaseException):
    """The process dying between two writes."""


async def test_results_are_queued_when_the_close_job_runs_again_after_a_crash(
        chat: Any, app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    await chat.run("@anna\ndm\n" + TEAM_PULSE)
    enqueue = app.outbox.enqueue

    async def dying(deliveries: Sequence[Any], *, batch: str, **kw: Any) -> str:
        if batch.endswith(":results"):
            raise Crash
        return str(await enqueue(deliveries, batch=batch, **kw))

    monkeypatch.setattr(app.outbox, "enqueue", dying)
    with pytest.raises(Crash):
        await app.run_job(CLOSE, {"round": 1})
    monkeypatch.undo()
    assert (await app.outbox.report("pulse:1:1:results")).total == 0

    await app.run_job(CLOSE, {"round": 1})  # the scheduler's rerun of the interrupted run
    await app.run_job(CLOSE, {"round": 1})  # and once more: nothing doubles
    await app.outbox.drain()
    report = await app.outbox.report("pulse:1:1:results")
    assert (report.total, report.sent) == (1, 1)
    forgets = await app.scheduler.list(kind_prefix=FORGET)
    assert [info.payload["round"] for info in forgets] == [1]


async def test_the_round_is_closed_on_time_when_the_open_job_ran_again_after_a_crash(
        chat: Any, app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same audit in the open job: the round row was written, then the process died
    before the close job was planned; the rerun reused the round and planned nothing, so
    the round stayed open (and the results unsent) until the daily sweep."""
    from datetime import timedelta

    from commands.pulse.jobs import OPEN
    from tests.pulse.conftest import delivered, jump

    add, crashed = app.scheduler.add, []

    async def dying(kind: str, *args: Any, **kw: Any) -> int:
        if kind == CLOSE:
            crashed.append(kind)
            raise Crash
        return int(await add(kind, *args, **kw))

    monkeypatch.setattr(app.scheduler, "add", dying)
    with contextlib.suppress(Crash):  # the open job runs in this call or in the timer's sweep
        await chat.run("@anna\ndm\n" + TEAM_PULSE)
    for _ in range(250):  # bounded wait for the sweep's run
        if crashed:
            break
        await asyncio.sleep(0.02)
    assert crashed
    monkeypatch.undo()
    assert await app.scheduler.list(kind_prefix=CLOSE) == []
    await app.run_job(OPEN, {"series": 1})  # the scheduler's rerun of the interrupted run
    await app.run_job(OPEN, {"series": 1})
    closes = await app.scheduler.list(kind_prefix=CLOSE)
    assert [info.payload["round"] for info in closes] == [1]
    await jump(app, chat.clock, timedelta(days=2, hours=1))
    await delivered(app, "pulse:1:1:results")

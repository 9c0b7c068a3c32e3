"""Event-loop lag monitor: a named task that sleeps a fixed interval and records how late
it wakes up, exported as the ``hartslag_event_loop_lag_seconds`` histogram."""

from __future__ import annotations

import asyncio
import contextlib
import time

from commands.metrics import Metrics

INTERVAL_S = 0.1


class LagMonitor:
    def __init__(self, metrics: Metrics) -> None:
        self._metrics = metrics
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="hartslag.lag-monitor")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            before = time.perf_counter()
            await asyncio.sleep(INTERVAL_S)
            self._metrics.loop_lag.observe(max(0.0, time.perf_counter() - before - INTERVAL_S))

"""Work an adapter runs after it acknowledged a request (Slack and Teams answer the platform
first, then do the work).

Kept in a set so a task is not garbage-collected half-way, logged by type and place when it
fails (the logging rule: never its message, which can quote what a person wrote), waited for
in tests and at a graceful stop, and cancelled at the end.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Coroutine
from typing import Any

from commands.logsafe import error_fields


class Background:
    """The tasks in flight of one adapter; ``failed`` is the log event of a task that raised."""

    def __init__(self, log: logging.Logger, failed: str) -> None:
        self._log = log
        self._failed = failed
        self._tasks: set[asyncio.Task[None]] = set()

    def __len__(self) -> int:
        return len(self._tasks)

    def spawn(self, work: Coroutine[Any, Any, None], name: str) -> None:
        task = asyncio.create_task(work, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        exc = None if task.cancelled() else task.exception()
        if exc is not None:
            self._log.error(self._failed, extra={"task": task.get_name(), **error_fields(exc)})

    async def drain(self, *, within: float) -> None:
        """Wait up to ``within`` seconds for the work in flight to finish."""
        deadline = time.monotonic() + within
        while self._tasks and time.monotonic() < deadline:
            await asyncio.wait(list(self._tasks), timeout=max(0.0, deadline - time.monotonic()))

    async def cancel(self) -> None:
        """Cancel what is still running and wait until it has stopped."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

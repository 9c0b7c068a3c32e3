"""Group commit: writes that arrive while the previous group commits go together in the next
transaction. SQLite manages ~450 commits/s here; batched, it manages tens of thousands of
rows per second. Every caller still waits for its own write to be committed."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class GroupCommit(Generic[T, R]):
    """``await group.write(item)`` returns ``apply([... item ...])``'s result for that item."""

    def __init__(self, apply: Callable[[Sequence[T]], Awaitable[Sequence[R]]], *,
                 name: str) -> None:
        self._apply = apply
        self._name = name
        self._queue: list[tuple[T, asyncio.Future[R]]] = []
        self._task: asyncio.Task[None] | None = None

    async def write(self, item: T) -> R:
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._queue.append((item, future))
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._flush(), name=self._name)
        return await future

    async def _flush(self) -> None:
        while self._queue:
            await asyncio.sleep(0)  # let writes of the same moment join this group
            group, self._queue = self._queue, []
            try:
                results = await self._apply([item for item, _ in group])
            except Exception as exc:
                for _, future in group:
                    if not future.done():
                        future.set_exception(exc)
                continue
            for (_, future), result in zip(group, results, strict=True):
                if not future.done():
                    future.set_result(result)

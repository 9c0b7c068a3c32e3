"""Single flight: one load per key, however many callers wait for it.

A burst (the first second of a pulse to 130,000 people, a cache that expires under load)
otherwise sends one identical read per caller and exhausts the connection pool. The product's
one implementation: preference snapshots, pulse rounds, the team tree and its config sync.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class SingleFlight(Generic[K, V]):
    def __init__(self) -> None:
        self._flights: dict[K, asyncio.Future[V]] = {}

    def start(self, key: K, load: Callable[[], Awaitable[V]]) -> asyncio.Future[V]:
        """The load in flight for ``key``, or a new one. A load that ended is forgotten, so
        a failed one is retried by the next caller; its error goes to whoever awaits it and
        is never reported as unretrieved."""
        flight = self._flights.get(key)
        if flight is None or flight.done():
            flight = asyncio.ensure_future(load())
            self._flights[key] = flight
            flight.add_done_callback(lambda done: self._landed(key, done))
        return flight

    async def run(self, key: K, load: Callable[[], Awaitable[V]]) -> V:
        """Wait for the load of ``key`` (a caller that is cancelled does not cancel it)."""
        return await asyncio.shield(self.start(key, load))

    def forget(self, key: K) -> None:
        """Later callers start a new load (the data changed while this one read)."""
        self._flights.pop(key, None)

    def clear(self) -> None:
        """Forget every load in flight (a write made them all stale)."""
        self._flights.clear()

    def _landed(self, key: K, flight: asyncio.Future[V]) -> None:
        if not flight.cancelled():
            flight.exception()  # retrieved: the awaiting callers get it
        if self._flights.get(key) is flight:
            del self._flights[key]

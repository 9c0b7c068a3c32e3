"""Single flight: one load per key for any number of waiting callers; failures are retried."""

from __future__ import annotations

import asyncio

import pytest

from storage.singleflight import SingleFlight


async def test_one_load_for_many_callers_and_a_new_one_after() -> None:
    flight: SingleFlight[str, int] = SingleFlight()
    loads = 0
    gate = asyncio.Event()

    async def load() -> int:
        nonlocal loads
        loads += 1
        await gate.wait()
        return loads

    waiting = [asyncio.ensure_future(flight.run("k", load)) for _ in range(50)]
    await asyncio.sleep(0)
    gate.set()
    assert await asyncio.gather(*waiting) == [1] * 50
    assert await flight.run("k", load) == 2  # the ended load is not a cache
    assert loads == 2


async def test_a_failed_load_reaches_its_callers_and_is_retried() -> None:
    flight: SingleFlight[int, str] = SingleFlight()
    attempts = 0

    async def load() -> str:
        nonlocal attempts
        attempts += 1
        if attempts == 1:
            raise ConnectionError("database away")
        return "ok"

    with pytest.raises(ConnectionError):
        await flight.run(1, load)
    assert await flight.run(1, load) == "ok"


async def test_a_cancelled_caller_does_not_cancel_the_load() -> None:
    flight: SingleFlight[str, str] = SingleFlight()
    gate = asyncio.Event()

    async def load() -> str:
        await gate.wait()
        return "loaded"

    first = asyncio.ensure_future(flight.run("k", load))
    second = asyncio.ensure_future(flight.run("k", load))
    await asyncio.sleep(0)
    first.cancel()
    gate.set()
    assert await second == "loaded"

"""The signal repository on SQLite and, when configured, PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest

from storage.signals import NewCase, RateCheck, SignalRepository
from tests.support.db import fresh_database

DAY = date(2026, 11, 23)


@pytest.fixture(params=["sqlite", "postgres"])
async def repo(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[SignalRepository]:
    async with fresh_database(request.param, tmp_path) as db:
        yield SignalRepository(db)


def case(ref: str, *, day: date = DAY, sealed: str | None = "sealed") -> NewCase:
    return NewCase(ref=ref, code_hash=f"h-{ref}", category="ICT", team="", text=f"tekst {ref}",
                   day=day, sealed=sealed)


def check(sender: str = "a", *, limit: int = 2, today: date = DAY) -> RateCheck:
    return RateCheck(period=1, sender_hash=sender, limit=limit, block_hashes=(f"b-{sender}",), today=today)


async def test_create_limit_block_and_read(repo: SignalRepository) -> None:
    assert await repo.create(case("S-AAAAAA"), check()) == "ok"
    assert await repo.create(case("S-BBBBBB", sealed=None), check()) == "ok"
    assert await repo.create(case("S-CCCCCC"), check()) == "rate_limited"
    assert await repo.get("S-CCCCCC") is None
    await repo.block("b-z", date(2026, 12, 1))
    assert await repo.create(case("S-DDDDDD"), check("z")) == "blocked"
    found = await repo.by_code(["h-old", "h-S-AAAAAA"])
    assert found is not None and found.has_relay and found.received == DAY
    assert (await repo.get("S-BBBBBB")).has_relay is False  # type: ignore[union-attr]
    cases, total = await repo.inbox(statuses=("new",), category="ict")
    assert total == 2 and [c.ref for c in cases] == ["S-AAAAAA", "S-BBBBBB"]


async def test_entries_status_and_purge(repo: SignalRepository) -> None:
    await repo.create(case("S-AAAAAA", day=date(2025, 1, 1)), check(today=date(2025, 1, 1)))
    await repo.create(case("S-BBBBBB"), check("b"))
    assert await repo.add_entry("S-AAAAAA", "reply", "antwoord", author="local:tess", day=DAY,
                                status="answered")
    assert await repo.add_entry("S-AAAAAA", "note", "notitie", author="local:tess", day=DAY)
    assert [e.kind for e in await repo.entries("S-AAAAAA", notes=False)] == ["reply"]
    assert await repo.set_status("S-BBBBBB", "closed", day=DAY)
    assert await repo.relay("S-BBBBBB") is None
    assert not await repo.add_entry("S-BBBBBB", "sender", "te laat", author="", day=DAY)
    counts = await repo.purge(received_before=date(2025, 11, 23), today=DAY, period=2)
    assert (counts.cases, counts.relays, counts.rates) == (1, 1, 2)
    assert await repo.get("S-AAAAAA") is None and await repo.entries("S-AAAAAA", notes=True) == []
    assert (await repo.table_counts())["signal_case"] == 1


async def test_concurrent_signals_of_one_person_respect_the_limit(repo: SignalRepository) -> None:
    import asyncio

    refs = [f"S-{c * 6}" for c in "ABCDEFGH"]  # 8 at once, limit 3
    outcomes = await asyncio.gather(*(repo.create(case(ref), check("same", limit=3))
                                      for ref in refs))
    assert sorted(outcomes) == ["ok"] * 3 + ["rate_limited"] * 5
    assert (await repo.table_counts())["signal_case"] == 3

"""The engine: SQLite in WAL mode with a busy timeout, and failing statements that do not
quote their values (they could be someone's anonymous text)."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from storage.db import BUSY_TIMEOUT_MS, Database, async_url
from storage.events import ProcessedEvent


def test_plain_urls_get_async_drivers() -> None:
    assert async_url("sqlite:///x.db") == "sqlite+aiosqlite:///x.db"
    assert async_url("postgresql://u@h/db") == "postgresql+asyncpg://u@h/db"
    assert async_url("postgres://u@h/db") == "postgresql+asyncpg://u@h/db"


async def test_sqlite_runs_in_wal_with_a_busy_timeout(db_url: str) -> None:
    db = Database(db_url)
    try:
        async with db.session(readonly=True) as session:
            mode = (await session.exec(text("PRAGMA journal_mode"))).one()  # type: ignore[call-overload]
            timeout = (await session.exec(text("PRAGMA busy_timeout"))).one()  # type: ignore[call-overload]
        assert mode[0] == "wal" and timeout[0] == BUSY_TIMEOUT_MS
    finally:
        await db.dispose()


async def test_a_failing_statement_does_not_quote_its_values(db_url: str) -> None:
    db = Database(db_url)
    now = datetime.now(UTC)
    try:
        async with db.session() as session:
            session.add(ProcessedEvent(key="geheime-tekst-42", seen_at=now))
        with pytest.raises(IntegrityError) as caught:
            async with db.session() as session:
                session.add(ProcessedEvent(key="geheime-tekst-42", seen_at=now))
        assert "geheime-tekst-42" not in str(caught.value)
    finally:
        await db.dispose()


async def test_write_transactions_of_two_processes_take_turns(tmp_path: Path) -> None:
    """``Database.write`` runs each transaction whole in a thread, and writers of different
    processes (here: two engines with their own lock-file handles, as two HTTP workers would
    have) never overlap: the second waits on the lock file, not in SQLite's busy handler."""
    import threading
    import time as clock

    from sqlalchemy import Connection

    path = tmp_path / "turns.db"
    first, second = Database(f"sqlite:///{path}"), Database(f"sqlite:///{path}")
    spans: list[tuple[float, float]] = []
    guard = threading.Lock()

    def create(conn: Connection) -> None:
        conn.execute(text("CREATE TABLE IF NOT EXISTS t (n INTEGER)"))

    def add(n: int) -> Callable[[Connection], None]:
        def fn(conn: Connection) -> None:
            start = clock.monotonic()
            conn.execute(text("INSERT INTO t (n) VALUES (:n)"), {"n": n})
            clock.sleep(0.005)  # hold the write lock a little
            with guard:
                spans.append((start, clock.monotonic()))
        return fn

    try:
        await first.write(create)
        await asyncio.gather(*(db.write(add(n)) for n in range(40)
                               for db in ((first,) if n % 2 else (second,))))
        rows = await first.write(lambda conn: conn.execute(text("SELECT n FROM t")).all())
    finally:
        await first.dispose()
        await second.dispose()
    assert sorted(n for (n,) in rows) == list(range(40))
    spans.sort()
    assert all(earlier[1] <= later[0] for earlier, later in itertools.pairwise(spans))


async def test_a_writer_waits_for_its_turn_on_the_lock_file(tmp_path: Path) -> None:
    """Another process holding the turn (``flock`` on the lock file) holds writes back; they
    go on the moment it lets go."""
    import fcntl

    from sqlalchemy import Connection

    db = Database(f"sqlite:///{tmp_path / 'turn.db'}")

    def create(conn: Connection) -> None:
        conn.execute(text("CREATE TABLE t (n INTEGER)"))

    def insert(conn: Connection) -> int:
        conn.execute(text("INSERT INTO t (n) VALUES (1)"))
        return int(conn.execute(text("SELECT count(*) FROM t")).scalar_one())

    try:
        await db.write(create)
        with open(tmp_path / "turn.db.writer-lock", "a+b") as other:  # noqa: ASYNC230
            fcntl.flock(other.fileno(), fcntl.LOCK_EX)
            waiting = asyncio.ensure_future(db.write(insert))
            await asyncio.sleep(0.3)
            assert not waiting.done()  # held back by the other holder
            fcntl.flock(other.fileno(), fcntl.LOCK_UN)
            assert await asyncio.wait_for(waiting, timeout=10) == 1
    finally:
        await db.dispose()


async def test_write_on_an_in_memory_database_stays_in_that_database() -> None:
    from sqlalchemy import Connection

    db = Database("sqlite:///:memory:")

    def count(conn: Connection) -> int:
        return int(conn.execute(text("SELECT count(*) FROM t")).scalar_one())

    try:
        await db.write(lambda conn: conn.execute(text("CREATE TABLE t (n INTEGER)")))
        await db.write(lambda conn: conn.execute(text("INSERT INTO t (n) VALUES (1)")))
        assert await db.write(count) == 1
    finally:
        await db.dispose()

"""The engine: SQLite in WAL mode with a busy timeout, and failing statements that do not
quote their values (they could be someone's anonymous text)."""

from __future__ import annotations

from datetime import UTC, datetime

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

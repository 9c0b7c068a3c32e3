"""Migration 0002_scheduling creates exactly the scheduler's and outbox's tables."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import inspect

from storage.db import Database
from storage.migrate import upgrade

from .conftest import MY_TABLES


async def test_migration_creates_the_tables(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'm.db'}")
    try:
        await upgrade(db)
        async with db.engine.connect() as conn:
            names = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
        assert set(MY_TABLES) <= names
    finally:
        await db.dispose()

"""Reading the database as an auditor would: every row of every table, all columns."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import create_async_engine

from storage.db import Database
from storage.migrate import upgrade


async def all_rows(app: Any) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, read straight from the database."""
    async with app.db.engine.connect() as conn:
        names = await conn.run_sync(lambda sync: inspect(sync).get_table_names())
        found: dict[str, list[tuple[Any, ...]]] = {}
        for name in names:
            rows = (await conn.execute(text(f'SELECT * FROM "{name}"'))).all()
            found[name] = [tuple(row) for row in rows]
    return found


POSTGRES_URL = os.environ.get("HARTSLAG_TEST_POSTGRES_URL")


@asynccontextmanager
async def fresh_database(kind: str, tmp_path: Path, *, migrate: bool = True) -> AsyncIterator[Database]:
    """An empty database: a SQLite file, or a new schema in the PostgreSQL of
    ``HARTSLAG_TEST_POSTGRES_URL`` (dropped afterwards; the test is skipped, saying so, when
    the variable is unset). Migrated to the newest schema unless ``migrate`` is False."""
    if kind == "sqlite":
        db = Database(f"sqlite:///{tmp_path / 'fresh.db'}")
        try:
            if migrate:
                await upgrade(db)
            yield db
        finally:
            await db.dispose()
        return
    if not POSTGRES_URL:
        pytest.skip("HARTSLAG_TEST_POSTGRES_URL is not set: PostgreSQL not tested")
    schema = f"t_{uuid.uuid4().hex[:10]}"
    admin = Database(POSTGRES_URL)
    async with admin.engine.begin() as conn:
        await conn.execute(text(f"CREATE SCHEMA {schema}"))
    db = Database(POSTGRES_URL)
    await db.engine.dispose()
    # asyncpg takes the search path as a server setting on connect: one schema per test.
    db.engine = create_async_engine(db.url, connect_args={"server_settings": {"search_path": schema}})
    try:
        if migrate:
            await upgrade(db)
        yield db
    finally:
        await db.dispose()
        async with admin.engine.begin() as conn:
            await conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        await admin.dispose()

"""Migrations from empty, models and migrations in step, and refusing an older schema."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, create_engine, text
from sqlalchemy.ext.asyncio import create_async_engine

from storage.db import Database
from storage.migrate import SchemaError, SchemaState, alembic_config, ensure_current, state
from storage.schema import metadata

POSTGRES = os.environ.get("HARTSLAG_TEST_POSTGRES_URL")


@pytest.fixture(params=["sqlite", "postgres"])
async def empty_db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    if request.param == "sqlite":
        db = Database(f"sqlite:///{tmp_path / 'empty.db'}")
        yield db
        await db.dispose()
        return
    if not POSTGRES:
        pytest.skip("HARTSLAG_TEST_POSTGRES_URL is not set: PostgreSQL migrations not tested")
    schema = f"t_{uuid.uuid4().hex[:10]}"
    admin = Database(POSTGRES)
    async with admin.engine.begin() as conn:
        await conn.execute(text(f"CREATE SCHEMA {schema}"))
    db = Database(POSTGRES)
    await db.engine.dispose()
    # asyncpg takes the search path as a server setting on connect: one schema per test.
    db.engine = create_async_engine(
        db.url, connect_args={"server_settings": {"search_path": schema}}
    )
    yield db
    await db.dispose()
    async with admin.engine.begin() as conn:
        await conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    await admin.dispose()


def _diff(connection: Connection) -> list[object]:
    return list(compare_metadata(MigrationContext.configure(connection), metadata))


async def test_empty_database_is_migrated_and_matches_the_models(empty_db: Database) -> None:
    assert await state(empty_db) is SchemaState.EMPTY
    assert await ensure_current(empty_db) is SchemaState.CURRENT
    assert await state(empty_db) is SchemaState.CURRENT
    async with empty_db.engine.connect() as conn:
        assert await conn.run_sync(_diff) == []


async def test_an_older_schema_is_refused_with_what_to_run(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    cfg = alembic_config()
    cfg.set_main_option("sqlalchemy.url", f"sqlite:///{path}")
    command.upgrade(cfg, "0001_core")
    db = Database(f"sqlite:///{path}")
    try:
        if await state(db) is SchemaState.CURRENT:
            pytest.skip("only the core migration exists")
        with pytest.raises(SchemaError, match="hartslag db upgrade"):
            await ensure_current(db)
    finally:
        await db.dispose()


async def test_foreign_tables_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with create_engine(f"sqlite:///{path}").begin() as conn:
        conn.execute(text("CREATE TABLE invoices (id INTEGER PRIMARY KEY)"))
    db = Database(f"sqlite:///{path}")
    try:
        with pytest.raises(SchemaError, match="does not recognise"):
            await ensure_current(db)
    finally:
        await db.dispose()

"""Migrations from empty, models and migrations in step, and refusing an older schema."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, create_engine, text

from storage.db import Database
from storage.migrate import SchemaError, SchemaState, alembic_config, ensure_current, state
from storage.schema import metadata
from tests.support.db import fresh_database


@pytest.fixture(params=["sqlite", "postgres"])
async def empty_db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    async with fresh_database(request.param, tmp_path, migrate=False) as db:
        yield db


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

"""Schema migrations with Alembic, driven from the async engine.

Feature migrations each hang off ``0001_core`` as their own branch (several heads), so
features can add tables independently; ``upgrade`` goes to all heads. Start-up migrates an
empty database by itself and refuses an older schema with a message that says what to run.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect

from storage.db import Database

MIGRATIONS = Path(__file__).with_name("migrations")


class SchemaState(Enum):
    EMPTY = "empty"
    CURRENT = "current"
    BEHIND = "behind"
    UNKNOWN = "unknown"  # tables but no version, or a version this code does not know


class SchemaError(RuntimeError):
    """The database schema does not match the code; the message says what to do."""


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def code_heads() -> set[str]:
    return set(ScriptDirectory.from_config(alembic_config()).get_heads())


def _db_heads(connection: Connection) -> set[str]:
    return set(MigrationContext.configure(connection).get_current_heads())


def _state(connection: Connection) -> SchemaState:
    heads = _db_heads(connection)
    if not heads:
        tables = set(inspect(connection).get_table_names()) - {"alembic_version"}
        return SchemaState.UNKNOWN if tables else SchemaState.EMPTY
    script = ScriptDirectory.from_config(alembic_config())
    known = {rev.revision for rev in script.walk_revisions()}
    if not heads <= known:
        return SchemaState.UNKNOWN
    return SchemaState.CURRENT if heads == code_heads() else SchemaState.BEHIND


async def state(db: Database) -> SchemaState:
    async with db.engine.connect() as conn:
        return await conn.run_sync(_state)


async def upgrade(db: Database) -> None:
    def run(connection: Connection) -> None:
        cfg = alembic_config()
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "heads")

    async with db.engine.begin() as conn:
        await conn.run_sync(run)


async def ensure_current(db: Database, *, migrate_empty: bool = True) -> SchemaState:
    """Migrate an empty database; raise SchemaError on an older or unknown schema."""
    found = await state(db)
    if found is SchemaState.EMPTY and migrate_empty:
        await upgrade(db)
        return SchemaState.CURRENT
    if found is SchemaState.BEHIND:
        raise SchemaError(
            "storage.url: the database schema is older than this version of hartslag; "
            "back it up and run `hartslag db upgrade`"
        )
    if found is SchemaState.UNKNOWN:
        raise SchemaError(
            "storage.url: the database holds tables hartslag does not recognise (a newer "
            "version, or another application); point storage.url at hartslag's own database"
        )
    return found

"""Schema migrations with Alembic, driven from the async engine.

Feature migrations each hang off ``0001_core`` as their own branch (several heads), so
features can add tables independently; ``upgrade`` goes to all heads. Each branch's files sit
in their own directory, ``migrations/versions/<branch>/``, and Alembic finds them through
``version_locations`` built from the platform's branches and the manifests'
(``storage.schema.migration_branches``): a new feature adds a directory, not files in a shared
one. Start-up migrates an empty database by itself and refuses an older schema with a message
that says what to run.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from enum import Enum
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.operations.ops import MigrationScript
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
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


def branch_directory(branch: str, root: Path = MIGRATIONS) -> Path:
    """Where one branch's migration files sit."""
    return root / "versions" / branch


def alembic_config(branches: Sequence[str] | None = None, *, root: Path = MIGRATIONS) -> Config:
    """The Alembic config for ``branches`` (default: the platform's and the manifests').

    ``root`` is the script directory (env.py, the template); tests point it at a copy.
    """
    if branches is None:
        # Imported here: storage.schema loads every table module, which ``hartslag --help``
        # (bots/cli.py imports this module for SchemaError) has no use for.
        from storage.schema import migration_branches

        branches = migration_branches()
    cfg = Config()
    _set(cfg, "script_location", str(root))
    # Split on the OS path separator, not Alembic's legacy spaces and commas, so a checkout
    # under a directory with a space in its name still works.
    cfg.set_main_option("path_separator", "os")
    _set(cfg, "version_locations", os.pathsep.join(_locations(branches, root)))
    return cfg


def _locations(branches: Iterable[str], root: Path) -> list[str]:
    return [str(branch_directory(branch, root)) for branch in branches]


def _set(cfg: Config, key: str, value: str) -> None:
    # The options are read through configparser interpolation: a literal % must be doubled.
    cfg.set_main_option(key, value.replace("%", "%%"))


def place_new_branch(context: MigrationContext, revision: object,
                     directives: list[MigrationScript]) -> None:
    """Alembic's ``process_revision_directives`` (env.py): a new branch's first migration goes
    into that branch's directory.

    Alembic by itself puts a new revision next to the one it is based on, which for a new
    branch is 0001_core's directory; a later migration of a branch (based on ``<branch>@head``)
    lands next to its head that way, which is right, so only labelled revisions are moved.
    """
    script = context.script
    if script is None:  # not a revision command
        return
    known = {Path(location).absolute() for location in script.version_locations}
    for directive in directives:
        labels = _labels(directive.branch_label)
        if directive.version_path is not None or not labels:
            continue
        if len(labels) > 1:
            raise CommandError(f"one branch label per migration, not {', '.join(labels)}")
        target = branch_directory(labels[0], Path(script.dir)).absolute()
        if target not in known:
            raise CommandError(
                f"branch {labels[0]}: no manifest names it; set migrations={labels[0]!r} in "
                "the feature's manifest (commands/<feature>/manifest.py) first")
        directive.version_path = str(target)


def _labels(label: str | Sequence[str] | None) -> tuple[str, ...]:
    if not label:
        return ()
    return (label,) if isinstance(label, str) else tuple(label)


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

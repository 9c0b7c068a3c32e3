"""Alembic environment: runs on the connection ``storage.migrate`` hands over (async engine,
sync callback), or on ``sqlalchemy.url`` when called from the alembic CLI."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from storage.migrate import place_new_branch
from storage.schema import metadata

config = context.config


def _run(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=metadata,
        render_as_batch=True,  # SQLite can only ALTER through table copies
        compare_type=True,
        # A new branch's first migration goes into its own directory (storage/migrate.py).
        process_revision_directives=place_new_branch,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    url = config.get_main_option("sqlalchemy.url") or "sqlite:///hartslag.db"
    with create_engine(url).connect() as conn:
        _run(conn)

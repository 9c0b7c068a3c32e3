"""Reading the database as an auditor would: every row of every table, all columns."""

from __future__ import annotations

from typing import Any

from sqlalchemy import inspect, text


async def all_rows(app: Any) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, read straight from the database."""
    async with app.db.engine.connect() as conn:
        names = await conn.run_sync(lambda sync: inspect(sync).get_table_names())
        found: dict[str, list[tuple[Any, ...]]] = {}
        for name in names:
            rows = (await conn.execute(text(f'SELECT * FROM "{name}"'))).all()
            found[name] = [tuple(row) for row in rows]
    return found

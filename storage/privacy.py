"""The generic retention purge.

``PURGES`` are the deletions the daily ``privacy.purge`` job runs for data whose feature has
no purge of its own (signals and pulse keys purge themselves: see their settings). What is
stored, per kind of data, is the inventory of commands/privacy/inventory.py, made of the
features' manifests.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from storage.db import Database
from storage.schema import metadata


@dataclass(frozen=True)
class Purge:
    table: str
    column: str
    setting: str  # field of PrivacySettings
    where: str = ""  # an extra SQL condition


PURGES: tuple[Purge, ...] = (
    Purge("processed_event", "seen_at", "inbound_events_days"),
    Purge("hook_event", "received_at", "hook_events_days"),
    Purge("rejected_hook", "received_at", "hook_events_days"),
    Purge("announcement_ack", "at", "acknowledgements_days"),
    Purge("teams_sent", "sent_at", "sent_ids_days"),
)


class RetentionRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def purge(self, purge: Purge, *, before: datetime) -> int:
        table = metadata.tables[purge.table]
        query = sa.delete(table).where(table.c[purge.column] < before)
        if purge.where:
            query = query.where(sa.text(purge.where))
        async with self._db.session() as session:
            result = await session.exec(  # type: ignore[call-overload]
                query)
            return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def purge_orphans(self) -> int:
        """Message bodies and batches of the outbox no row refers to any more."""
        outbox, bodies, batches = (metadata.tables[n] for n in ("outbox", "outbox_message",
                                                                 "outbox_batch"))
        async with self._db.session() as session:
            gone = await session.exec(  # type: ignore[call-overload]
                sa.delete(bodies).where(
                ~bodies.c.digest.in_(sa.select(outbox.c.digest))))
            empty = await session.exec(  # type: ignore[call-overload]
                sa.delete(batches).where(
                ~batches.c.batch.in_(sa.select(outbox.c.batch))))
            return int(gone.rowcount or 0) + int(empty.rowcount or 0)  # type: ignore[attr-defined]

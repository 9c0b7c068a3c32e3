"""Progress of a long fan-out: counts plus rate and ETA. The words for it are the
feature's (commands/announcements/jobs.py ``progress_line``): the one progress renderer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from commands.delivery import BatchReport, DeliveryStatus
from commands.model import Address, MessageRef
from storage.outbox import OutboxRepository, OutboxRow


@dataclass(frozen=True, slots=True)
class BatchProgress(BatchReport):
    """A ``BatchReport`` plus what a progress line needs. ``pending`` counts rows still to
    go (pending, sending, ambiguous awaiting reconciliation); ``uncertain`` counts rows that
    stay ambiguous because the platform cannot tell whether they were posted."""

    uncertain: int = 0
    cancelled: int = 0
    paused: bool = False
    rate_per_second: float | None = None
    eta: datetime | None = None

    @property
    def done(self) -> bool:
        return self.pending == 0


async def batch_progress(repo: OutboxRepository, batch: str, *, now: datetime,
                         window: timedelta, items: bool) -> BatchProgress:
    """Counts per state, the send rate over the last ``window`` and the ETA at that rate."""
    record = await repo.batch(batch)
    counts = await repo.counts(batch)
    pending = sum(counts.get(s, 0) for s in ("pending", "sending", "ambiguous"))
    recent, first = await repo.sent_since(batch, now - window)
    rate = eta = None
    if first is not None and recent:
        elapsed = min(window, now - first).total_seconds()
        rate = recent / elapsed if elapsed > 0 else None
    if rate and pending:
        eta = now + timedelta(seconds=pending / rate)
    statuses: tuple[DeliveryStatus, ...] = ()
    if items:
        statuses = tuple(_status(row) for row in await repo.rows(batch))
    return BatchProgress(
        batch=batch, total=sum(counts.values()), sent=counts.get("sent", 0),
        failed=counts.get("failed", 0), pending=pending, items=statuses,
        uncertain=counts.get("ambiguous!", 0), cancelled=counts.get("cancelled", 0),
        paused=bool(record and record.paused), rate_per_second=rate, eta=eta,
    )


def _status(row: OutboxRow) -> DeliveryStatus:
    ref = (MessageRef(Address.parse(row.message_address), row.message_id)
           if row.message_address and row.message_id else None)
    state: Any = row.state
    return DeliveryStatus(delivery_id=row.delivery_id, target=row.target, state=state,
                          attempts=row.attempts, message=ref, error=row.error)



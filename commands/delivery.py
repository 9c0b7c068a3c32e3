"""What features ask of the delivery engine: send these messages to these targets, once.

Every (message, target) becomes an outbox row; the engine sends it idempotently, rate limited
and retried, and reports per target. Features never call ``ChatPort.send`` for fan-out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from commands.model import Address, MessageRef, OutgoingMessage, UserRef

DeliveryState = Literal["pending", "sending", "sent", "failed", "ambiguous", "cancelled"]


@dataclass(frozen=True, slots=True)
class Delivery:
    """One message to one target: a channel (``address``) or a person (``user``)."""

    message: OutgoingMessage
    address: Address | None = None
    user: UserRef | None = None

    def __post_init__(self) -> None:
        if (self.address is None) == (self.user is None):
            raise ValueError("a Delivery goes to exactly one of address or user")


@dataclass(frozen=True, slots=True)
class DeliveryStatus:
    delivery_id: str
    target: str  # str(Address) or UserRef.key
    state: DeliveryState
    attempts: int
    message: MessageRef | None
    error: str | None


@dataclass(frozen=True, slots=True)
class BatchReport:
    batch: str
    total: int
    sent: int
    failed: int
    pending: int
    items: tuple[DeliveryStatus, ...]


class DeliveryPort(Protocol):
    """Fan-out through the outbox. ``batch`` is the caller's idempotency key: enqueueing the
    same batch twice (a retried job) adds nothing. ``on_sent`` names a job kind the engine
    runs with ``{"batch": ..., "delivery_id": ..., "message": {...}}`` for each sent row, so a
    feature can remember which platform message belongs to which announcement or poll."""

    async def enqueue(
        self,
        deliveries: Sequence[Delivery],
        *,
        batch: str,
        owner: str | None = None,
        on_sent: str | None = None,
    ) -> str: ...

    async def report(self, batch: str) -> BatchReport: ...

    async def set_paused(self, batch: str, paused: bool) -> None: ...

    async def cancel(self, batch: str) -> int: ...

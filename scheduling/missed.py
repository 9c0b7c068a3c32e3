"""Telling a schedule's owner that a slot was missed (the ``on_missed`` of the Scheduler).

The scheduler never drops a slot silently: a slot too late to run is recorded, logged and
handed to ``on_missed``. ``OwnerNotifier`` turns that into a direct message to the owner
(``platform:id``) through the outbox, in the owner's language when known.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from commands.delivery import Delivery, DeliveryPort
from commands.i18n import DEFAULT_LOCALE, Catalog
from commands.model import PLATFORMS, OutgoingMessage, UserRef
from commands.schedule import ScheduleInfo

MESSAGES = Catalog(
    "scheduler",
    {
        "nl": {
            "missed": (
                "Een geplande taak is niet uitgevoerd: **{kind}** (schema {id}) stond voor "
                "{when}, maar hartslag was toen te lang onbereikbaar. Niets is verstuurd; "
                "plan het opnieuw als het nog nodig is."
            ),
        },
        "en": {
            "missed": (
                "A scheduled task did not run: **{kind}** (schedule {id}) was due at {when}, "
                "but hartslag was unavailable for too long. Nothing was sent; schedule it "
                "again if it is still needed."
            ),
        },
    },
)

LocaleOf = Callable[[UserRef], Awaitable[str]]


def owner_ref(owner: str | None) -> UserRef | None:
    """``"slack:U123"`` -> UserRef; None for owners that are not a person."""
    if not owner or ":" not in owner:
        return None
    platform, person = owner.split(":", 1)
    return UserRef(platform, person) if platform in PLATFORMS and person else None


class OwnerNotifier:
    """``Scheduler(..., on_missed=OwnerNotifier(outbox))``: a DM to the owner per missed slot
    (one outbox batch per schedule and slot, so a repeat adds nothing)."""

    def __init__(self, delivery: DeliveryPort, *, locale_of: LocaleOf | None = None) -> None:
        self._delivery = delivery
        self._locale_of = locale_of

    async def __call__(self, info: ScheduleInfo, slot: datetime) -> None:
        user = owner_ref(info.notify) or owner_ref(info.owner)
        if user is None:
            return
        locale = await self._locale_of(user) if self._locale_of else DEFAULT_LOCALE
        when = slot.astimezone(ZoneInfo(info.trigger.timezone)).strftime("%Y-%m-%d %H:%M")
        text = MESSAGES.get(locale, "missed", kind=info.kind, id=info.id, when=when)
        await self._delivery.enqueue([Delivery(OutgoingMessage(text), user=user)],
                                     batch=f"missed:{info.id}:{slot.isoformat()}",
                                     owner="scheduler")

"""The flush job: what was held for a person goes out as one message ("Je werkvoorraad:
3 nieuwe poststukken, 1 factuur ter goedkeuring") when their digest time or the end of their
quiet hours comes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from commands.context import Context
from commands.delivery import Delivery
from commands.model import OutgoingMessage
from commands.notices.directory import resolve
from commands.notices.messages import TEXT
from commands.notices.settings import HookSettings
from storage.notices import NoticeRepository, PendingNotice
from storage.people import PeopleRepository


def summary(ctx: Context, locale: str, notices: Sequence[PendingNotice]) -> str:
    sources = ctx.settings.get(HookSettings).sources
    counts = Counter(n.source for n in notices)
    parts = []
    for name, count in counts.items():
        source = sources.get(name)
        label = (source.label if count == 1 else source.label_plural) if source else name
        parts.append(TEXT.get(locale, "digest.count", count=count, label=label))
    return ", ".join(parts)


async def flush(payload: Mapping[str, Any], ctx: Context) -> None:
    person_id = int(payload["person"])
    person = await ctx.store.repo(PeopleRepository).get(person_id)
    due = await ctx.store.repo(NoticeRepository).take_due(person_id, now=ctx.clock.now())
    if person is None or not due:
        return
    recipient = await resolve(ctx, person.employee_id or person.email or "")
    if recipient is None:
        return
    locale = await ctx.locale_for(user=recipient.user)
    title = TEXT.get(locale, "digest.title", summary=summary(ctx, locale, due))
    body = "\n\n".join(n.markdown for n in due)
    message = OutgoingMessage(body, title=title)
    batch = f"notices:{person_id}:{payload.get('due', '')}:{due[0].id}"
    await ctx.delivery.enqueue([Delivery(message, user=recipient.user)], batch=batch,
                               owner=f"person:{person_id}")

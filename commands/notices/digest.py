"""The flush job: what was held for a person goes out as one message ("Je werkvoorraad:
3 nieuwe poststukken, 1 factuur ter goedkeuring") when their digest time or the end of their
quiet hours comes."""

from __future__ import annotations

import hashlib
import json
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
    """Send what is due for a person as one message.

    The held notices are deleted only after the digest is in the outbox, under a batch key
    made of exactly those notices: a crash in between leaves them held, and the rerun queues
    the same batch again (a no-op) before deleting them. Deleting first lost them."""
    person_id = int(payload["person"])
    notices = ctx.store.repo(NoticeRepository)
    person = await ctx.store.repo(PeopleRepository).get(person_id)
    due = await notices.due(person_id, now=ctx.clock.now())
    if person is None or not due:
        return
    recipient = await resolve(ctx, person.employee_id or person.email or "")
    if recipient is None:
        return
    locale = await ctx.locale_for(user=recipient.user)
    title = TEXT.get(locale, "digest.title", summary=summary(ctx, locale, due))
    body = "\n\n".join(n.markdown for n in due)
    message = OutgoingMessage(body, title=title)
    ids = [int(n.id or 0) for n in due]
    await ctx.delivery.enqueue([Delivery(message, user=recipient.user)],
                               batch=batch_key(person_id, due), owner=f"person:{person_id}")
    await notices.drop(ids)


def batch_key(person_id: int, notices: Sequence[PendingNotice]) -> str:
    """One key per set of held notices. Ids alone are not enough: SQLite hands a deleted
    row's id out again, so the next digest of a person would carry the key of the one before
    and the outbox would drop it as a repeat; the old key (person, due time, first id) also
    named a grown set the same. The key covers each notice's id, times and text."""
    parts = [[n.id, n.created_at.isoformat(), n.due_at.isoformat(), n.markdown]
             for n in sorted(notices, key=lambda n: n.id or 0)]
    digest = hashlib.sha256(json.dumps(parts).encode()).hexdigest()[:24]
    return f"notices:{person_id}:{digest}"

"""Scheduled work: the weekly digest of open cases and the daily retention purge.

Job kinds: ``signals.digest`` (payload: ``{"address": "..."}`` or ``{"user": {...}}``, a
triage channel or member) and ``signals.purge`` (no payload). The purge schedule is created
the first time the triage team uses its commands (never when a signal arrives: a schedule row
made at that moment would record when the first signal came in).
"""

from __future__ import annotations

import calendar
import logging
from collections.abc import Mapping
from datetime import date, time
from typing import Any

from commands.context import Context
from commands.delivery import Delivery
from commands.model import Address, OutgoingMessage, UserRef
from commands.schedule import Trigger
from commands.signals.service import period, repo, settings, status_name, today
from commands.signals.settings import SignalSettings
from commands.signals.text import SIGNALS
from storage.signals import PurgeCounts

log = logging.getLogger("hartslag.signals")

DIGEST = "signals.digest"
PURGE = "signals.purge"
OPEN = ("new", "in_progress", "answered")
PURGE_AT = time(3, 17)


def months_before(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


async def purge(ctx: Context) -> PurgeCounts:
    """Delete cases older than the retention (with entries and relay), expired blocks and
    rate counters of past periods."""
    conf = ctx.settings.get(SignalSettings)  # also when signals are turned off: retention holds
    day = today(ctx)
    counts = await repo(ctx).purge(received_before=months_before(day, conf.retention_months),
                                   today=day, period=period(day, conf))
    log.info("signals: retention purge", extra={"cases": counts.cases, "relays": counts.relays,
                                                "rates": counts.rates, "blocks": counts.blocks})
    return counts


async def purge_job(payload: Mapping[str, Any], ctx: Context) -> None:
    await purge(ctx)


async def ensure_purge_schedule(ctx: Context) -> None:
    if not await ctx.scheduler.list(kind_prefix=PURGE):
        await ctx.scheduler.add(PURGE, Trigger("daily", time=PURGE_AT), {}, owner="signals")


async def digest_text(ctx: Context) -> str:
    """Counts of open cases by status and topic, the oldest, and those with a new reply.
    References only: no text of any signal."""
    cases, total = await repo(ctx).inbox(statuses=OPEN, limit=500)
    lines = [ctx.text(SIGNALS, "digest.title", day=today(ctx).isoformat())]
    if total == 0:
        return "\n".join([*lines, ctx.text(SIGNALS, "digest.empty")])
    counts = await repo(ctx).counts()
    for status in OPEN:
        count = sum(n for (s, _), n in counts.items() if s == status)
        if count:
            lines.append(ctx.text(SIGNALS, "digest.status", status=status_name(ctx, status),
                                  count=count))
    topics: dict[str, int] = {}
    for (status, category), n in counts.items():
        if status in OPEN:
            topics[category or "-"] = topics.get(category or "-", 0) + n
    lines += [ctx.text(SIGNALS, "digest.category", category=c, count=n)
              for c, n in sorted(topics.items())]
    lines.append(ctx.text(SIGNALS, "digest.oldest", refs=", ".join(c.ref for c in cases[:5])))
    replied = [c.ref for c in cases if c.sender_replied]
    if replied:
        lines.append(ctx.text(SIGNALS, "digest.replied", refs=", ".join(replied[:20])))
    return "\n".join(lines)


def digest_target(payload: Mapping[str, Any]) -> Address | UserRef:
    if "address" in payload:
        return Address.parse(str(payload["address"]))
    user = payload["user"]
    return UserRef(str(user["platform"]), str(user["id"]), "", str(user.get("workspace", "")))


async def digest_job(payload: Mapping[str, Any], ctx: Context) -> None:
    target = digest_target(payload)
    if isinstance(target, Address):
        ctx = ctx.with_locale(await ctx.locale_for(address=target))
        delivery = Delivery(OutgoingMessage(await digest_text(ctx)), address=target)
        name = str(target)
    else:
        ctx = ctx.with_locale(await ctx.locale_for(user=target))
        delivery = Delivery(OutgoingMessage(await digest_text(ctx)), user=target)
        name = target.key
    slot = str(payload.get("_schedule") or today(ctx).isoformat())  # idempotent per slot
    await ctx.delivery.enqueue([delivery], batch=f"{DIGEST}:{name}:{slot}", owner="signals")


def digest_trigger(ctx: Context) -> Trigger:
    conf = settings(ctx)
    hour, minute = (int(part) for part in conf.digest_time.split(":"))
    return Trigger("weekly", time=time(hour, minute), weekday=conf.digest_weekday)

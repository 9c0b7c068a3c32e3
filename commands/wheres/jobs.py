"""Scheduled work: the weekly gap digest to owners and reminders of entries due for review.

Both go out through the outbox (``ctx.delivery``) with a batch key per day and recipient, so
a job that runs twice for one slot sends nothing twice.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta

from commands.context import Context
from commands.delivery import Delivery
from commands.model import Choice, OutgoingMessage, UserRef
from commands.schedule import JsonPayload, Trigger
from commands.wheres.knowledge import repo, settings_of
from commands.wheres.messages import TEXT
from storage.faq import Gap, ReviewDue

log = logging.getLogger("hartslag.wheres")

DIGEST = "wheres.digest"
REVIEW = "wheres.review"
MAX_BUTTONS = 5


async def ensure_schedules(ctx: Context) -> None:
    """Create the digest and review schedules once (idempotent; the rows are the truth)."""
    settings = settings_of(ctx)
    existing = {info.kind for info in await ctx.scheduler.list(kind_prefix="wheres.")}
    if DIGEST not in existing:
        await ctx.scheduler.add(DIGEST, Trigger(
            kind="weekly", weekday=settings.digest_weekday, time=settings.digest_time,
            start=ctx.clock.now()), {})
    if REVIEW not in existing:
        await ctx.scheduler.add(REVIEW, Trigger(
            kind="daily", time=settings.review_time, start=ctx.clock.now()), {})


def user_of(key: str) -> UserRef:
    platform, _, ident = key.partition(":")
    return UserRef(platform, ident)


def gap_message(ctx: Context, gaps: Sequence[Gap], *, title: str | None) -> OutgoingMessage:
    """The gap list with a confirm button per question that has a closest entry."""
    lines = [title] if title else []
    lines.append(ctx.text(TEXT, "gaps.title", count=len(gaps)))
    choices: list[Choice] = []
    for gap in gaps:
        entry = ctx.text(TEXT, "gaps.entry", id=gap.entry_id) if gap.entry_id else ""
        lines.append(ctx.text(
            TEXT, "gaps.line", number=gap.question_id, text=gap.text, count=gap.count,
            unanswered=gap.unanswered, unhelpful=gap.unhelpful, entry=entry))
        if gap.entry_id and len(choices) < MAX_BUTTONS:
            label = ctx.text(TEXT, "gaps.confirm", number=gap.question_id, id=gap.entry_id)
            choices.append(Choice("wheres.alias", f"{gap.question_id}:{gap.entry_id}", label))
    lines += ["", ctx.text(TEXT, "gaps.hint")]
    return OutgoingMessage("\n".join(lines), choices=tuple(choices))


async def _owners(ctx: Context, entry_ids: set[str]) -> dict[str, str]:
    return {e.id: e.owner for e in await repo(ctx).entries(entry_ids) if e.owner}


async def run_digest(payload: JsonPayload, ctx: Context) -> None:
    """``wheres.digest``: last week's gaps, grouped, to the owner of the closest entry
    (gaps that belong to no owned entry go to ``[wheres] digest_to``); then questions past
    ``question_retention_days`` are deleted."""
    settings = settings_of(ctx)
    now = ctx.clock.now()
    gaps = await repo(ctx).gaps(since=now - timedelta(days=7), limit=10 * settings.digest_max_groups)
    owners = await _owners(ctx, {g.entry_id for g in gaps if g.entry_id})
    by_recipient: dict[str, list[Gap]] = {}
    for gap in gaps:
        owner = owners.get(gap.entry_id or "")
        for recipient in [owner] if owner else settings.digest_to:
            by_recipient.setdefault(recipient, []).append(gap)
    deliveries = []
    for recipient, items in sorted(by_recipient.items()):
        user = user_of(recipient)
        local = ctx.with_locale(await ctx.locale_for(user=user))
        message = gap_message(local, items[: settings.digest_max_groups],
                              title=local.text(TEXT, "digest.title"))
        deliveries.append((recipient, Delivery(message, user=user)))
    day = now.date().isoformat()
    for recipient, delivery in deliveries:
        await ctx.delivery.enqueue([delivery], batch=f"{DIGEST}:{day}:{recipient}")
    purged = await repo(ctx).purge_questions(
        before=now - timedelta(days=settings.question_retention_days))
    log.info("gap digest", extra={"groups": len(gaps), "recipients": len(deliveries),
                                  "purged": purged})


async def run_review(payload: JsonPayload, ctx: Context) -> None:
    """``wheres.review``: remind owners of entries past their review interval (at most once
    every ``review_remind_days`` per entry)."""
    settings = settings_of(ctx)
    now = ctx.clock.now()
    due = await repo(ctx).due_for_review(now, remind_every=timedelta(days=settings.review_remind_days))
    by_recipient: dict[str, list[ReviewDue]] = {}
    for item in due:
        for recipient in [item.entry.owner] if item.entry.owner else settings.digest_to:
            by_recipient.setdefault(recipient, []).append(item)
    day = now.date().isoformat()
    for recipient, items in sorted(by_recipient.items()):
        user = user_of(recipient)
        local = ctx.with_locale(await ctx.locale_for(user=user))
        lines = [local.text(TEXT, "review.title")]
        lines += [
            local.text(TEXT, "review.line", id=i.entry.id, question=i.entry.question,
                       date=i.reviewed_at.date().isoformat())
            for i in items
        ]
        lines += ["", local.text(TEXT, "review.hint")]
        await ctx.delivery.enqueue([Delivery(OutgoingMessage("\n".join(lines)), user=user)],
                                   batch=f"{REVIEW}:{day}:{recipient}")
    reminded = sorted({i.entry.id for items in by_recipient.values() for i in items})
    if reminded:
        await repo(ctx).mark_reminded(reminded, now=now)
    log.info("review reminders", extra={"entries": len(reminded)})

"""Scheduled work of announcements: post a run, remember posted copies, remind people who
have not acknowledged, and report delivery (progress and failures) to the author."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from commands import timespec
from commands.announcements.compose import local_time, settings_of
from commands.announcements.lifecycle import (
    ONCE_SLOT,
    announcement_of_batch,
    author_of,
    owner,
    post,
    repo,
    schedule_report,
    tell,
)
from commands.announcements.messages import TEXT
from commands.announcements.render import ack_choice, quoted, quoted_title
from commands.announcements.targets import show_target
from commands.context import Context
from commands.delivery import BatchReport, Delivery
from commands.i18n import number
from commands.model import Address, OutgoingMessage, UserRef
from commands.port import DeliveryError
from commands.schedule import JsonPayload
from storage.announcements import Announcement, AnnouncementPost

MAX_REPORT_ROUNDS = 60


def slot_of(payload: JsonPayload, ann: Announcement) -> str:
    """The run's deterministic key: "1" for a one-off (it goes out once, ever), the engine's
    slot (``payload["_schedule"]["slot"]``) for a recurring announcement."""
    if not ann.trigger or ann.trigger.get("kind") == "once":
        return ONCE_SLOT
    schedule = payload.get("_schedule") or {}
    slot = str(schedule.get("slot") or "")
    return slot.replace(":", "") if slot else ONCE_SLOT


async def run_post(payload: JsonPayload, ctx: Context) -> None:
    """``announcements.post``: a scheduled slot of an announcement."""
    ann = await repo(ctx).get(int(payload["id"]))
    if ann is None or ann.state != "scheduled":
        return  # cancelled, paused or edited after the slot was planned
    await post(ctx, ann, slot_of(payload, ann))
    if not ann.trigger or ann.trigger.get("kind") == "once":
        assert ann.id is not None
        await repo(ctx).transition(ann.id, ("scheduled",), state="sent")


async def run_sent(payload: JsonPayload, ctx: Context) -> None:
    """``announcements.sent`` (the outbox's on_sent): remember which message is which copy."""
    batch = str(payload.get("batch", ""))
    announcement_id = announcement_of_batch(batch)
    if announcement_id is None:
        return
    message = payload.get("message") or {}
    target = str(payload.get("target") or message.get("address") or "")
    await repo(ctx).add_post(AnnouncementPost(
        announcement_id=announcement_id, batch=batch, delivery_id=str(payload.get("delivery_id")),
        target=target[:500], message_id=str(message.get("message_id") or "")[:300],
        posted_at=ctx.clock.now()))


async def members_of(ctx: Context, target: str) -> Sequence[UserRef] | None:
    """Members of a targeted channel, or None where the platform cannot tell."""
    try:
        return await ctx.port.members(Address.parse(target))
    except DeliveryError:
        return None


async def run_remind(payload: JsonPayload, ctx: Context) -> None:
    """``announcements.remind`` (daily from the due date): one DM a day, to each member of a
    targeted channel who has not acknowledged, at most ``max_reminders`` times."""
    ann = await repo(ctx).get(int(payload["id"]))
    settings = settings_of(ctx)
    if ann is None or ann.id is None or ann.state not in ("sent", "scheduled"):
        return
    if ann.ack_due is None or ctx.clock.now() < ann.ack_due:
        return
    today = ctx.clock.now().astimezone(timespec.zone(settings.timezone)).date().isoformat()
    if ann.last_reminder_on == today or ann.reminders_sent >= settings.max_reminders:
        await _stop_reminders(ctx, ann)
        return
    acked = {a.user_key for a in await repo(ctx).acks(ann.id)}
    people: dict[str, UserRef] = {}
    for target in ann.targets:
        for person in await members_of(ctx, target) or ():
            if person.key not in acked and person.key != ann.author_key:
                people.setdefault(person.key, person)
    if not people:  # everyone read it (or no platform lists members): no more reminders
        await _stop_reminders(ctx, ann, done=True)
        return
    deliveries = []
    for person in people.values():
        locale = await ctx.locale_for(user=person)
        # The text itself, not only its title: a reminder is read on a phone, far from the
        # channel post it points at.
        text = TEXT.get(locale, "reminder", title=quoted_title(ann), due=local_time(ctx, ann.ack_due))
        text += "\n\n" + quoted(ctx, ann, locale)
        deliveries.append(Delivery(OutgoingMessage(text, choices=(ack_choice(ann, locale),)),
                                   user=person))
    await ctx.delivery.enqueue(deliveries, batch=f"{owner(ann.id)}:remind:{today}",
                               owner=owner(ann.id))
    await repo(ctx).update(ann.id, last_reminder_on=today, reminders_sent=ann.reminders_sent + 1)


async def _stop_reminders(ctx: Context, ann: Announcement, *, done: bool = False) -> None:
    finished = done or ann.reminders_sent >= settings_of(ctx).max_reminders
    if finished and ann.remind_schedule_id:
        await ctx.scheduler.cancel(ann.remind_schedule_id)


def progress_line(ctx: Context, report: BatchReport, started: datetime | None) -> str:
    """``1.200/5.000 verzonden, klaar rond 10:42`` (the estimate from the rate so far)."""
    done = report.sent + report.failed
    values = {"done": number(report.sent, ctx.locale), "total": number(report.total, ctx.locale),
              "failed": report.failed}
    if not report.pending:
        return ctx.text(TEXT, "progress_done", **values)
    eta: datetime | None = None
    now = ctx.clock.now()
    if started is not None and done and now > started:
        rate = done / (now - started).total_seconds()
        eta = now + timedelta(seconds=report.pending / rate)
    if eta is None:
        return ctx.text(TEXT, "progress_unknown", **values)
    zone = timespec.zone(settings_of(ctx).timezone)
    return ctx.text(TEXT, "progress", eta=eta.astimezone(zone).strftime("%H:%M"), **values)


async def run_report(payload: JsonPayload, ctx: Context) -> None:
    """``announcements.report``: while a fan-out runs, progress for big ones; at the end one
    message to the author with what went out and what failed (and why)."""
    ann = await repo(ctx).get(int(payload["id"]))
    batch, round_ = str(payload["batch"]), int(payload.get("round", 1))
    if ann is None or ann.id is None:
        return
    report = await ctx.delivery.report(batch)
    run = await repo(ctx).run_by_batch(batch)
    author = author_of(ann)
    if report.pending and round_ < MAX_REPORT_ROUNDS and ann.state != "cancelled":
        if report.total >= settings_of(ctx).progress_threshold and author is not None:
            locale = await ctx.locale_for(user=author)
            line = progress_line(ctx.with_locale(locale), report, run.started_at if run else None)
            await tell(ctx, author, "told_progress", f"{batch}:progress:{round_}", id=ann.id,
                       line=line)
        await schedule_report(ctx, ann.id, batch, round_ + 1)
        return
    if run is not None and run.reported:
        return
    # The report first, the flag after it: a crash between the two leaves the flag unset, and
    # the scheduler's rerun finds the report's batch already queued (the outbox adds nothing
    # for a known batch key), so the author gets it exactly once. The other order lost it.
    failures = [f"- `{show_target(ctx, item.target) if '://' in item.target else item.target}`: "
                f"{(item.error or '?')[:200]}" for item in report.items if item.state == "failed"]
    key = "told_failures" if failures else "told_delivered"
    await tell(ctx, author, key, f"{batch}:report", id=ann.id, title=quoted_title(ann),
               sent=report.sent, total=report.total, failed=report.failed,
               failures="\n".join(failures))
    await repo(ctx).mark_reported(batch)

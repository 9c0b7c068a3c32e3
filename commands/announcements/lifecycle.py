"""The life of an announcement: draft -> (pending approval) -> scheduled / sent, plus pause,
resume and cancel. Posting goes only through the delivery port, with a deterministic batch
key per run, so a retried job or a second press never posts twice."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from typing import Any

from commands import timespec
from commands.announcements.compose import Plan, check_embargo, fail, local_time, settings_of
from commands.announcements.messages import TEXT
from commands.announcements.render import approval_request, delivered, quoted_title
from commands.context import Context
from commands.delivery import BatchReport, Delivery
from commands.model import PLATFORMS, Address, OutgoingMessage, UserRef
from commands.schedule import Trigger
from storage.announcements import (
    EDITABLE_STATES,
    Announcement,
    AnnouncementRepository,
)

POST = "announcements.post"
SENT = "announcements.sent"
REMIND = "announcements.remind"
REPORT = "announcements.report"
ONCE_SLOT = "1"


def repo(ctx: Context) -> AnnouncementRepository:
    return ctx.store.repo(AnnouncementRepository)


def owner(announcement_id: int | None) -> str:
    return f"announcement:{announcement_id}"


def batch_key(announcement_id: int | None, slot: str) -> str:
    return f"announcement:{announcement_id}:{slot}"


def announcement_of_batch(batch: str) -> int | None:
    head, _, rest = batch.partition(":")
    number = rest.partition(":")[0]
    return int(number) if head == "announcement" and number.isdecimal() else None


def author_of(ann: Announcement) -> UserRef | None:
    """The author as a person to DM; None for automation (``hartslag announce`` CLI)."""
    platform, _, ident = ann.author_key.partition(":")
    if platform not in PLATFORMS or not ident:
        return None
    return UserRef(platform, ident, ann.author_name, ann.author_workspace)


def stamp(ann: Announcement) -> str:
    """A key for one version of an announcement, for outbox batches sent once per version.

    Whole seconds were not enough: an edit offered again within the same second (always, in
    a scripted chat on a fake clock) reused the first request's batch, and the outbox dropped
    the new approval request as a repeat. The key covers the time to the microsecond and
    everything an edit or a decision changes.
    """
    version = json.dumps(
        [ann.updated_at.isoformat(), ann.title, ann.body, ann.targets, ann.audiences,
         ann.trigger, ann.ack_due and ann.ack_due.isoformat(),
         ann.embargo and ann.embargo.isoformat(), ann.state, ann.decided_by, ann.decision_note],
        sort_keys=True, default=str,
    )
    return hashlib.sha256(version.encode()).hexdigest()[:16]


async def tell(ctx: Context, user: UserRef | None, key: str, batch: str, **values: object) -> None:
    """A DM to ``user`` in their language, through the outbox (once per ``batch``)."""
    if user is None:
        return
    locale = await ctx.locale_for(user=user)
    message = OutgoingMessage(TEXT.get(locale, key, **values))
    await ctx.delivery.enqueue([Delivery(message, user=user)], batch=batch,
                               owner=batch.rsplit(":", 1)[0])


async def create(ctx: Context, plan: Plan, author: UserRef) -> Announcement:
    now = ctx.clock.now()
    ann = Announcement(
        author_key=author.key, author_name=author.display_name, author_workspace=author.workspace,
        title=plan.title, body=plan.body, template=plan.template,
        variables=dict(plan.variables), targets=list(plan.targets), audiences=list(plan.audiences),
        allow_mentions=plan.allow_mentions, trigger=plan.trigger_json(), ack=plan.ack,
        ack_due=plan.ack_due, embargo=plan.embargo, needs_approval=plan.needs_approval,
        state="draft", created_at=now, updated_at=now,
    )
    return await repo(ctx).add(ann)


async def replace_plan(ctx: Context, ann: Announcement, plan: Plan) -> Announcement:
    """An edit: stop what was scheduled and go back to draft (preview, confirm, approval)."""
    await _stop_schedules(ctx, ann)
    found = await repo(ctx).transition(
        _id(ann), EDITABLE_STATES, title=plan.title, body=plan.body, template=plan.template,
        variables=dict(plan.variables), targets=list(plan.targets), audiences=list(plan.audiences),
        allow_mentions=plan.allow_mentions, trigger=plan.trigger_json(), ack=plan.ack,
        ack_due=plan.ack_due, embargo=plan.embargo, needs_approval=plan.needs_approval,
        state="draft", schedule_id=None, remind_schedule_id=None, decided_by=None,
        decision_note="", updated_at=ctx.clock.now(),
    )
    if found is None:
        raise fail(ctx, "not_open", id=ann.id, state=state_name(ctx, ann.state))
    return found


def _id(ann: Announcement) -> int:
    assert ann.id is not None
    return ann.id


def state_name(ctx: Context, state: str) -> str:
    return ctx.text(TEXT, f"state_{state}")


async def confirm(ctx: Context, ann: Announcement) -> str:
    """The author confirmed the preview: ask for approval or go ahead."""
    if ann.needs_approval:
        await approval_deliveries(ctx, ann)  # no approver: refuse before anything changes
        found = await repo(ctx).transition(_id(ann), ("draft",), state="pending",
                                           updated_at=ctx.clock.now())
        if found is None:
            return ctx.text(TEXT, "already_handled", id=ann.id, state=state_name(ctx, ann.state))
        count = await request_approval(ctx, found)
        return ctx.text(TEXT, "sent_for_approval", id=ann.id, count=count)
    _check_embargo_now(ctx, ann)
    found = await repo(ctx).transition(_id(ann), ("draft",), state="scheduled",
                                       updated_at=ctx.clock.now())
    if found is None:
        return ctx.text(TEXT, "already_handled", id=ann.id, state=state_name(ctx, ann.state))
    return await activate(ctx, found)


def _check_embargo_now(ctx: Context, ann: Announcement) -> None:
    if ann.embargo is None:
        return
    trigger = timespec.from_json(ann.trigger) if ann.trigger else None
    now = ctx.clock.now()
    first = timespec.first_fire_time(trigger, now) if trigger else now
    check_embargo(ctx, ann.embargo, max(first or now, now))


async def approvers(ctx: Context, author_key: str) -> list[UserRef]:
    """Everyone with the comms role except the author (config grants and chat grants)."""
    keys = await ctx.roles.holders("comms")
    people = []
    for key in sorted(keys - {author_key}):
        platform, _, ident = key.partition(":")
        if platform in PLATFORMS and ident:
            people.append(UserRef(platform, ident, ident))
    return people


async def approval_deliveries(ctx: Context, ann: Announcement) -> list[Delivery]:
    """The approval request for the approval channel, or for every other comms member."""
    settings = settings_of(ctx)
    deliveries: list[Delivery] = []
    if settings.approval_channel:
        from commands.announcements.targets import parse_target

        address = parse_target(ctx, settings.approval_channel)
        locale = await ctx.locale_for(address=address)
        deliveries.append(Delivery(approval_request(ctx.with_locale(locale), ann), address=address))
    else:
        for person in await approvers(ctx, ann.author_key):
            locale = await ctx.locale_for(user=person)
            deliveries.append(Delivery(approval_request(ctx.with_locale(locale), ann), user=person))
    if not deliveries:
        raise fail(ctx, "no_approvers")
    return deliveries


async def request_approval(ctx: Context, ann: Announcement) -> int:
    """Send the approval request (once per version of the announcement)."""
    deliveries = await approval_deliveries(ctx, ann)
    await ctx.delivery.enqueue(deliveries, batch=f"{owner(ann.id)}:approval:{stamp(ann)}",
                               owner=owner(ann.id))
    return len(deliveries)


async def decide(ctx: Context, ann: Announcement, user: UserRef, *, approve: bool, note: str = "") -> str:
    """Another comms member approves or rejects; the author hears the outcome."""
    if user.key == ann.author_key:
        raise fail(ctx, "own_approval")
    if approve:
        _check_embargo_now(ctx, ann)
    found = await repo(ctx).transition(
        _id(ann), ("pending",), state="scheduled" if approve else "rejected",
        decided_by=user.key, decision_note=note[:500], updated_at=ctx.clock.now())
    if found is None:
        current = await repo(ctx).get(_id(ann))
        state = current.state if current else ann.state
        return ctx.text(TEXT, "already_decided", id=ann.id, state=state_name(ctx, state))
    who = user.display_name or user.key
    batch = f"{owner(ann.id)}:decision:{stamp(found)}"
    if not approve:
        await tell(ctx, author_of(found), "told_rejected", batch, id=ann.id, title=quoted_title(found),
                   who=who, note=note or "-")
        return ctx.text(TEXT, "rejected", id=ann.id)
    outcome = await activate(ctx, found)
    await tell(ctx, author_of(found), "told_approved", batch, id=ann.id, title=quoted_title(found),
               who=who, outcome=outcome)
    return ctx.text(TEXT, "approved", id=ann.id, outcome=outcome)


async def activate(ctx: Context, ann: Announcement) -> str:
    """Post now or hand the trigger to the scheduler; set up reminders. Returns a sentence."""
    trigger = timespec.from_json(ann.trigger) if ann.trigger else None
    now = ctx.clock.now()
    changes: dict[str, Any] = {}
    if ann.ack_due is not None:
        changes["remind_schedule_id"] = await ctx.scheduler.add(
            REMIND, _daily_from(ctx, ann.ack_due), {"id": ann.id}, owner=owner(ann.id),
            notify=ann.author_key)
    if trigger is None or (trigger.kind == "once" and trigger.at is not None and trigger.at <= now):
        await repo(ctx).update(_id(ann), **changes)
        fresh = await repo(ctx).get(_id(ann))
        assert fresh is not None
        total = await post(ctx, fresh, ONCE_SLOT)
        await repo(ctx).transition(_id(ann), ("scheduled",), state="sent")
        return ctx.text(TEXT, "outcome_sent", count=total)
    changes["schedule_id"] = await ctx.scheduler.add(POST, trigger, {"id": ann.id},
                                                     owner=owner(ann.id), notify=ann.author_key)
    await repo(ctx).update(_id(ann), **changes)
    first = timespec.first_fire_time(trigger, now)
    return ctx.text(TEXT, "outcome_scheduled", when=timespec.describe(trigger, ctx.locale),
                    next=local_time(ctx, first) if first else "-")


def _daily_from(ctx: Context, due: datetime) -> Trigger:
    zone = settings_of(ctx).timezone
    local = due.astimezone(timespec.zone(zone))
    return Trigger("daily", time=local.time().replace(second=0, microsecond=0), timezone=zone,
                   start=due)


async def post(ctx: Context, ann: Announcement, slot: str) -> int:
    """Enqueue one copy per target (in each channel's language) as one batch."""
    deliveries = []
    for target in ann.targets:
        address = Address.parse(target)
        locale = await ctx.locale_for(address=address)
        deliveries.append(Delivery(delivered(ctx, ann, locale), address=address))
    batch = batch_key(ann.id, slot)
    await ctx.delivery.enqueue(deliveries, batch=batch, owner=owner(ann.id), on_sent=SENT)
    first = await repo(ctx).start_run(_id(ann), batch, at=ctx.clock.now(), total=len(deliveries))
    # A rerun after a crash between recording the run and planning its report must still
    # plan it (the run row alone used to stop that, and the author never heard).
    if first or not await _report_planned(ctx, _id(ann), batch):
        await schedule_report(ctx, _id(ann), batch, 1)
    return len(deliveries)


async def _report_planned(ctx: Context, announcement_id: int, batch: str) -> bool:
    run = await repo(ctx).run_by_batch(batch)
    if run is not None and run.reported:
        return True
    planned = await ctx.scheduler.list(kind_prefix=REPORT, owner=owner(announcement_id))
    return any(info.payload.get("batch") == batch for info in planned)


async def schedule_report(ctx: Context, announcement_id: int, batch: str, round_: int) -> None:
    delay = timedelta(minutes=settings_of(ctx).report_delay_minutes)
    trigger = Trigger("once", at=ctx.clock.now() + delay, timezone=settings_of(ctx).timezone)
    await ctx.scheduler.add(REPORT, trigger, {"id": announcement_id, "batch": batch, "round": round_},
                            owner=owner(announcement_id))


async def _stop_schedules(ctx: Context, ann: Announcement) -> None:
    for schedule_id in (ann.schedule_id, ann.remind_schedule_id):
        if schedule_id is not None:
            await ctx.scheduler.cancel(schedule_id)


async def pending_runs(ctx: Context, ann: Announcement) -> list[BatchReport]:
    reports = [await ctx.delivery.report(run.batch) for run in await repo(ctx).runs(_id(ann))]
    return [r for r in reports if r.pending]


async def cancel(ctx: Context, ann: Announcement) -> str:
    """Until sent: stop schedules and whatever of a fan-out has not gone out yet."""
    in_flight = await pending_runs(ctx, ann)
    if ann.state not in EDITABLE_STATES and not (ann.state == "sent" and in_flight):
        raise fail(ctx, "not_open", id=ann.id, state=state_name(ctx, ann.state))
    await _stop_schedules(ctx, ann)
    stopped = 0
    for report in in_flight:
        stopped += await ctx.delivery.cancel(report.batch)
    await repo(ctx).update(_id(ann), state="cancelled", updated_at=ctx.clock.now())
    return ctx.text(TEXT, "cancelled", id=ann.id, stopped=stopped)


async def set_paused(ctx: Context, ann: Announcement, paused: bool) -> str:
    in_flight = await pending_runs(ctx, ann)
    if paused and ann.state != "scheduled" and not in_flight:
        raise fail(ctx, "cannot_pause", id=ann.id, state=state_name(ctx, ann.state))
    if not paused and ann.state != "paused":
        raise fail(ctx, "cannot_resume", id=ann.id, state=state_name(ctx, ann.state))
    runs = await repo(ctx).runs(_id(ann))
    if not paused and not runs:
        _check_embargo_now(ctx, ann)  # a resume must not push it past "internal first"
    for schedule_id in (ann.schedule_id, ann.remind_schedule_id):
        if schedule_id is not None:
            await ctx.scheduler.set_paused(schedule_id, paused)
    for report in in_flight:
        await ctx.delivery.set_paused(report.batch, paused)
    if paused:
        state = "paused"
    else:
        recurring = ann.trigger is not None and ann.trigger.get("kind") != "once"
        state = "sent" if runs and not recurring else "scheduled"
    await repo(ctx).update(_id(ann), state=state, updated_at=ctx.clock.now())
    return ctx.text(TEXT, "paused" if paused else "resumed", id=ann.id)

"""The life of a pulse before its rounds: draft -> (pending approval -> rejected) -> scheduled,
and edit or cancel before the start, as for announcements.

Nothing is sent on create: the series is stored as a draft and its author gets a preview
with Confirm / Edit / Cancel. Confirm schedules the first round, or first asks another
comms member to approve when the settings or the audience ask for four eyes
(``[pulse] require_approval``, ``approval_teams``, ``approval_min_people``). Only a
``scheduled`` series opens rounds (commands/pulse/jobs.py). Every state names its way
forward (``next_step``), in the preview, ``pulse list`` and ``pulse show``.
"""

from __future__ import annotations

import json

from commands import timespec
from commands.context import Context
from commands.delivery import Delivery
from commands.errors import UserError
from commands.model import PLATFORMS, Address, Choice, OutgoingMessage, UserRef
from commands.org import load_tree
from commands.pulse.create import Draft
from commands.pulse.jobs import OPEN
from commands.pulse.questions import LABELS, load_questions
from commands.pulse.render import when_text
from commands.pulse.runtime import PulseRuntime
from commands.pulse.settings import PulseSettings
from commands.pulse.text import PULSE
from commands.schedule import Trigger
from storage.pulse import PulseRepository, PulseRound, PulseSeries

CONFIRM, EDIT, CANCEL = "pulse.confirm", "pulse.edit", "pulse.cancel"
APPROVE, REJECT = "pulse.approve", "pulse.reject"
# Before the first round: what may still change.
EDITABLE = ("draft", "pending", "rejected", "scheduled")


def repo(ctx: Context) -> PulseRepository:
    return ctx.state(PulseRuntime).repo


def series_id(series: PulseSeries) -> int:
    assert series.id is not None
    return series.id


def person(key: str) -> UserRef:
    platform, _, ident = key.partition(":")
    return UserRef(platform, ident, ident)


async def audience_size(ctx: Context, series: PulseSeries) -> int | None:
    """The people a team pulse goes to; None for a channel pulse (whoever is there)."""
    if not series.team:
        return None
    tree = await load_tree(ctx)
    return len(tree.members(series.team)) if series.team in tree.teams else 0


async def needs_approval(ctx: Context, series: PulseSeries) -> bool:
    settings = ctx.settings.get(PulseSettings)
    if settings.require_approval or (series.team and series.team in settings.approval_teams):
        return True
    size = await audience_size(ctx, series)
    return bool(settings.approval_min_people and size is not None
                and size >= settings.approval_min_people)


async def save(ctx: Context, draft: Draft) -> PulseSeries:
    return await repo(ctx).add_series(draft.series)


# -- what the author sees ----------------------------------------------------------------
async def summary(ctx: Context, series: PulseSeries) -> list[str]:
    """Audience (with the number of people), questions, when, anonymity: one block."""
    size = await audience_size(ctx, series)
    if series.team:
        audience = ctx.text(PULSE, "audience.team", team=series.team, n=size or 0)
    else:
        audience = ctx.text(PULSE, "audience.channels", channels=", ".join(
            Address.parse(a).channel for a in json.loads(series.channels)))
    lines = [ctx.text(PULSE, "sum.audience", audience=audience), ctx.text(PULSE, "sum.questions")]
    for i, q in enumerate(load_questions(series.questions), 1):
        lines.append(f"{i}. {q.text} ({LABELS.get(ctx.locale, f'kind.{q.kind}')})")
    lines.append(ctx.text(PULSE, "sum.when", when=when(ctx, series),
                          hours=hours(series.duration_minutes)))
    if series.reminder_minutes and series.reminder_mode != "off":
        key = "sum.remind_missing" if series.reminder_mode == "non_respondents" else "sum.remind"
        lines.append(ctx.text(PULSE, key, hours=hours(series.reminder_minutes)))
    else:
        lines.append(ctx.text(PULSE, "sum.no_remind"))
    lines.append(ctx.text(PULSE, "mode.anonymous" if series.anonymous else "mode.named"))
    if await needs_approval(ctx, series):
        lines.append(ctx.text(PULSE, "sum.approval"))
    return lines


def hours(minutes: int) -> str:
    return f"{minutes / 60:g}"


def trigger_of(series: PulseSeries) -> Trigger | None:
    return timespec.from_json(json.loads(series.trigger)) if series.trigger else None


def when(ctx: Context, series: PulseSeries) -> str:
    trigger = trigger_of(series)
    if trigger is None:
        return "-"
    first = timespec.first_fire_time(trigger, ctx.clock.now())
    text = timespec.describe(trigger, ctx.locale)
    unconfirmed = series.state in ("draft", "pending", "rejected")
    if unconfirmed and trigger.kind == "once" and (first is None or first <= ctx.clock.now()):
        return ctx.text(PULSE, "sum.on_confirm")
    if trigger.kind != "once" and first is not None:
        text += " " + ctx.text(PULSE, "sum.first", first=when_text(ctx, first))
    return text


async def preview(ctx: Context, series: PulseSeries) -> OutgoingMessage:
    """The author's private preview with Confirm / Edit / Cancel; nothing is sent yet."""
    approval = await needs_approval(ctx, series)
    head = ctx.text(PULSE, "preview.head", id=series.id)
    text = "\n".join([head, "", f"> **{series.title}**", *await summary(ctx, series), "",
                      ctx.text(PULSE, "preview.foot", id=series.id)])
    value = str(series.id)
    choices = (Choice(CONFIRM, value, ctx.text(PULSE, "button.approval" if approval
                                               else "button.confirm"), style="primary"),
               Choice(EDIT, value, ctx.text(PULSE, "button.edit")),
               Choice(CANCEL, value, ctx.text(PULSE, "button.cancel"), style="danger"))
    return OutgoingMessage(text, choices)


# -- states -------------------------------------------------------------------------------
async def latest_round(ctx: Context, series: PulseSeries) -> PulseRound | None:
    rounds = await repo(ctx).rounds(series_id(series), limit=1)
    return rounds[0] if rounds else None


def shown_state(series: PulseSeries, row: PulseRound | None) -> str:
    """What people see: the stored state, or open / closed once rounds went out."""
    if series.state == "scheduled" and row is not None:
        return "open" if row.state == "open" else "closed"
    return series.state


async def next_step(ctx: Context, series: PulseSeries, state: str) -> str:
    """The way forward from this state, in words with the command to type."""
    if state == "pending":
        names = ", ".join(p.id for p in await approvers(ctx, series.created_by)) or "-"
        return ctx.text(PULSE, "next.pending", id=series.id, who=names)
    if state == "scheduled":
        info = await ctx.scheduler.get(series.schedule_id) if series.schedule_id else None
        first = info.next_run if info is not None else None
        return ctx.text(PULSE, "next.scheduled", id=series.id,
                        first=when_text(ctx, first) if first else "-")
    return ctx.text(PULSE, f"next.{state}", id=series.id)


def state_name(ctx: Context, state: str) -> str:
    return ctx.text(PULSE, f"state.{state}")


# -- transitions --------------------------------------------------------------------------
async def _refuse_after_start(ctx: Context, series: PulseSeries, action: str) -> UserError:
    state = shown_state(series, await latest_round(ctx, series))
    return UserError(ctx.text(PULSE, f"{action}.started", id=series.id,
                              state=state_name(ctx, state)))


async def _before_start(ctx: Context, series: PulseSeries, action: str) -> None:
    """Edit and cancel only before the first round; after it, close and stop."""
    if series.state not in EDITABLE or await latest_round(ctx, series) is not None:
        raise await _refuse_after_start(ctx, series, action)


async def confirm(ctx: Context, series: PulseSeries, user: UserRef) -> str:
    """The author confirmed the preview: ask for approval, or schedule."""
    if user.key != series.created_by:
        raise UserError(ctx.text(PULSE, "only_author", id=series.id))
    if series.state != "draft":
        return ctx.text(PULSE, "already", id=series.id, state=state_name(ctx, series.state))
    if await needs_approval(ctx, series):
        people = await approvers(ctx, series.created_by)
        if not people:  # refused before anything changes
            raise UserError(ctx.text(PULSE, "approval.nobody"))
        found = await repo(ctx).transition(series_id(series), ("draft",), state="pending")
        if found is None:
            return ctx.text(PULSE, "already", id=series.id, state=state_name(ctx, "pending"))
        await _ask_approval(ctx, found, people)
        return ctx.text(PULSE, "approval.sent", id=series.id, n=len(people))
    return await schedule(ctx, series, ("draft",))


async def schedule(ctx: Context, series: PulseSeries, states: tuple[str, ...],
                   **values: object) -> str:
    """Hand the trigger to the scheduler; a "now" confirmed later starts at the confirm."""
    found = await repo(ctx).transition(series_id(series), states, state="scheduled", **values)
    if found is None:
        return ctx.text(PULSE, "already", id=series.id, state=state_name(ctx, series.state))
    trigger = trigger_of(found)
    assert trigger is not None
    now = ctx.clock.now()
    if trigger.kind == "once" and trigger.at is not None and trigger.at < now:
        trigger = Trigger("once", at=now, timezone=trigger.timezone)
    schedule_id = await ctx.scheduler.add(OPEN, trigger, {"series": found.id},
                                          owner=f"pulse:{found.id}", notify=found.created_by)
    await repo(ctx).update_series(series_id(found), schedule_id=schedule_id)
    first = timespec.first_fire_time(trigger, now)
    return ctx.text(PULSE, "scheduled", id=found.id, title=found.title,
                    first=when_text(ctx, max(first, now)) if first else "-")


async def approvers(ctx: Context, author_key: str) -> list[UserRef]:
    """Everyone with the comms role but the author (config grants and chat grants)."""
    keys = await ctx.roles.holders("comms")
    return [person(k) for k in sorted(keys - {author_key})
            if k.partition(":")[0] in PLATFORMS and k.partition(":")[2]]


async def _ask_approval(ctx: Context, series: PulseSeries, people: list[UserRef]) -> None:
    deliveries = []
    for who in people:
        there = ctx.with_locale(await ctx.locale_for(user=who))
        head = there.text(PULSE, "approval.head", id=series.id, author=series.created_by)
        text = "\n".join([head, "", f"> **{series.title}**", *await summary(there, series), "",
                          there.text(PULSE, "approval.foot", id=series.id)])
        choices = (Choice(APPROVE, str(series.id), there.text(PULSE, "button.approve"),
                          style="primary"),
                   Choice(REJECT, str(series.id), there.text(PULSE, "button.reject"),
                          style="danger"))
        deliveries.append(Delivery(OutgoingMessage(text, choices), user=who))
    await ctx.delivery.enqueue(deliveries, owner=f"pulse:{series.id}",
                               batch=f"pulse:{series.id}:approval:{ctx.clock.now().isoformat()}")


async def decide(ctx: Context, series: PulseSeries, user: UserRef, *, approve: bool,
                 note: str = "") -> str:
    """Another comms member approves or rejects; the author hears the outcome by DM."""
    if user.key == series.created_by:
        raise UserError(ctx.text(PULSE, "approval.own"))
    if series.state != "pending":
        return ctx.text(PULSE, "already", id=series.id, state=state_name(ctx, series.state))
    who = user.display_name or user.key
    if approve:
        outcome = await schedule(ctx, series, ("pending",), decided_by=user.key)
        await _tell_author(ctx, series, "told.approved", who=who, outcome=outcome)
        return ctx.text(PULSE, "approval.approved", id=series.id, outcome=outcome)
    if await repo(ctx).transition(series_id(series), ("pending",), state="rejected",
                                  decided_by=user.key) is None:
        return ctx.text(PULSE, "already", id=series.id, state=state_name(ctx, series.state))
    await _tell_author(ctx, series, "told.rejected", who=who, note=note[:500] or "-")
    return ctx.text(PULSE, "approval.rejected", id=series.id)


async def _tell_author(ctx: Context, series: PulseSeries, key: str, **values: object) -> None:
    author = person(series.created_by)
    if author.platform not in PLATFORMS:
        return  # created by the CLI: nobody to DM
    locale = await ctx.locale_for(user=author)
    message = OutgoingMessage(PULSE.get(locale, key, id=series.id, title=series.title, **values))
    await ctx.delivery.enqueue([Delivery(message, user=author)], owner=f"pulse:{series.id}",
                               batch=f"pulse:{series.id}:decision:{ctx.clock.now().isoformat()}")


async def cancel(ctx: Context, series: PulseSeries) -> str:
    """Before the first round: nothing will ever be sent. After it: close or stop."""
    await _before_start(ctx, series, "cancel")
    if series.schedule_id is not None:
        await ctx.scheduler.cancel(series.schedule_id)
    if await repo(ctx).transition(series_id(series), EDITABLE, state="cancelled", active=False,
                                  schedule_id=None) is None:
        return ctx.text(PULSE, "already", id=series.id, state=state_name(ctx, series.state))
    return ctx.text(PULSE, "cancelled", id=series.id, title=series.title)


async def replace(ctx: Context, series: PulseSeries, draft: Draft) -> PulseSeries:
    """An edit: unschedule and go back to draft (preview, confirm, approval again)."""
    await _before_start(ctx, series, "edit")
    if series.schedule_id is not None:
        await ctx.scheduler.cancel(series.schedule_id)
    new = draft.series
    found = await repo(ctx).transition(
        series_id(series), EDITABLE, title=new.title, questions=new.questions, team=new.team,
        channels=new.channels, anonymous=new.anonymous, trigger=new.trigger,
        duration_minutes=new.duration_minutes, reminder_minutes=new.reminder_minutes,
        reminder_mode=new.reminder_mode, results_hidden=new.results_hidden, locale=new.locale,
        state="draft", schedule_id=None, decided_by=None)
    if found is None:
        raise await _refuse_after_start(ctx, series, "edit")
    return found

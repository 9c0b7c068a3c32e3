"""Scheduled work of pulses: open a round, remind, close, destroy the round key.

Job kinds: ``pulse.open`` ({"series"}), ``pulse.remind`` / ``pulse.close`` /
``pulse.forget`` ({"round"}). Every fan-out goes through the outbox with a deterministic
batch key, so a retried job sends nothing twice.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Mapping
from datetime import time, timedelta
from typing import Any

from commands.context import Context
from commands.delivery import Delivery
from commands.model import PLATFORMS, Address, OutgoingMessage, UserRef
from commands.org import load_tree
from commands.org.tree import ROOT, TeamTree
from commands.pulse.answer import invite_choices
from commands.pulse.render import results_text, when_text
from commands.pulse.runtime import PulseRuntime, round_info
from commands.pulse.settings import PulseSettings
from commands.pulse.text import PULSE
from commands.schedule import Trigger
from storage.pulse import PulseRound, PulseSeries

log = logging.getLogger("hartslag.pulse")

OPEN, REMIND, CLOSE, FORGET = "pulse.open", "pulse.remind", "pulse.close", "pulse.forget"
SWEEP = "pulse.sweep"
SWEEP_DAILY = Trigger("daily", time=time(3, 45))  # Europe/Amsterdam


def person(key: str) -> UserRef:
    platform, _, ident = key.partition(":")
    return UserRef(platform, ident)


def audience(tree: TeamTree, series: PulseSeries) -> list[str]:
    if series.team and series.team in tree.teams:
        return sorted(tree.members(series.team))
    return []


def invite_message(ctx: Context, series: PulseSeries, row: PulseRound, *, platform: str,
                   direct: bool) -> OutgoingMessage:
    assert row.id is not None
    key = "invite.anonymous" if series.anonymous else "invite.named"
    text = ctx.text(PULSE, key, title=series.title, n=len(json.loads(series.questions)),
                    closes=when_text(ctx, row.closes_at))
    if ctx.port.capabilities(platform).public_presses and series.anonymous and not direct:
        # Presses in a room are public there (Matrix reactions): answer in a DM instead.
        return OutgoingMessage(text + "\n" + ctx.text(PULSE, "invite.matrix", round=row.id),
                               title=series.title)
    return OutgoingMessage(text, invite_choices(ctx, row.id), title=series.title)


async def _deliveries(ctx: Context, series: PulseSeries, row: PulseRound, tree: TeamTree,
                      kind: str, skip: set[str] | None = None) -> list[Delivery]:
    out: list[Delivery] = []
    built: dict[tuple[str, str, bool], OutgoingMessage] = {}

    def message_for(locale: str, platform: str, direct: bool) -> OutgoingMessage:
        # Each person reads it in their own language (their choice, else the pulse's): an
        # English reader used to get a Dutch invitation and then English question chrome.
        key = (locale, platform, direct)
        if key not in built:
            there = ctx.with_locale(locale)
            message = invite_message(there, series, row, platform=platform, direct=direct)
            built[key] = _as_reminder(there, message) if kind == "remind" else message
        return built[key]

    locales = ctx.services.locales
    for key in audience(tree, series):
        if skip and key in skip:
            continue
        user = person(key)
        locale = await locales.resolve(user, None, hint=series.locale)
        out.append(Delivery(message_for(locale, user.platform, True), user=user))
    for text in json.loads(series.channels):
        address = Address.parse(text)
        locale = await locales.resolve(None, address, hint=series.locale)
        out.append(Delivery(message_for(locale, address.platform, False), address=address))
    return out


def _as_reminder(ctx: Context, message: OutgoingMessage) -> OutgoingMessage:
    return OutgoingMessage(ctx.text(PULSE, "remind.head") + "\n" + message.markdown,
                           message.choices, title=message.title)


def _invited(tree: TeamTree, series: PulseSeries) -> dict[str, int]:
    if not series.team or series.team not in tree.teams:
        return {}
    return dict(Counter(tree.team_of(m, within=series.team) or ROOT
                        for m in tree.members(series.team)))


async def open_job(payload: Mapping[str, Any], ctx: Context) -> None:
    runtime = ctx.state(PulseRuntime)
    series = await runtime.repo.series(int(payload["series"]))
    if series is None or not series.active or series.id is None or series.state != "scheduled":
        return  # a draft, a pulse waiting for approval, cancelled or stopped: nothing goes out
    ctx = ctx.with_locale(series.locale)
    now = ctx.clock.now()
    latest = next(iter(await runtime.repo.rounds(series.id, limit=1)), None)
    tree = await load_tree(ctx)
    reused = False
    if latest is not None and latest.state == "open":
        if latest.opened_at >= now - timedelta(minutes=10):
            row, reused = latest, True  # a retried run of the same slot: same batch again
        else:
            await close_round(ctx, latest.id or 0)  # the next round supersedes it
    if not reused:
        row = await runtime.repo.open_round(
            series.id, at=now, closes_at=now + timedelta(minutes=series.duration_minutes),
            invited=json.dumps(_invited(tree, series), sort_keys=True),
            ledger=series.reminder_mode == "non_respondents")
    assert row.id is not None
    owner = f"pulse:{series.id}"
    await ctx.delivery.enqueue(await _deliveries(ctx, series, row, tree, "open"),
                               batch=f"pulse:{series.id}:{row.number}:open", owner=owner)
    await _plan_round(ctx, series, row, owner)
    log.info("pulse round opened", extra={"series": series.id, "round": row.number})


async def _plan_round(ctx: Context, series: PulseSeries, row: PulseRound, owner: str) -> None:
    """The round's close (and reminder) jobs, unless planned already: a rerun of the open
    job after a crash between opening the round and planning them used to skip them (the
    round existed), and the round stayed open until the daily sweep."""
    planned = {info.kind for info in await ctx.scheduler.list(kind_prefix="pulse.", owner=owner)
               if info.payload.get("round") == row.id}
    if CLOSE not in planned:
        await ctx.scheduler.add(CLOSE, Trigger("once", at=row.closes_at), {"round": row.id},
                                owner=owner, notify=series.created_by)
    remind_at = row.opened_at + timedelta(minutes=series.reminder_minutes)
    wanted = (series.reminder_minutes and series.reminder_mode != "off"
              and remind_at < row.closes_at and remind_at > ctx.clock.now())
    if wanted and REMIND not in planned:
        await ctx.scheduler.add(REMIND, Trigger("once", at=remind_at), {"round": row.id},
                                owner=owner, notify=series.created_by)


async def remind_job(payload: Mapping[str, Any], ctx: Context) -> None:
    runtime = ctx.state(PulseRuntime)
    settings = ctx.settings.get(PulseSettings)
    row = await runtime.repo.round(int(payload["round"]))
    if row is None or row.state != "open" or row.closes_at <= ctx.clock.now():
        return
    series = await runtime.repo.series(row.series_id)
    if series is None:
        return
    ctx = ctx.with_locale(series.locale)
    tree = await load_tree(ctx)
    skip: set[str] = set()
    if row.ledger and row.key_salt:
        info = round_info(series, row)
        answered = await runtime.repo.participants(info.round_id)
        for key in audience(tree, series):
            if await runtime.participant(settings, info, key) in answered:
                skip.add(key)
    deliveries = await _deliveries(ctx, series, row, tree, "remind", skip)
    if deliveries:
        await ctx.delivery.enqueue(deliveries, batch=f"pulse:{series.id}:{row.number}:remind",
                                   owner=f"pulse:{series.id}")


async def close_round(ctx: Context, round_id: int) -> bool:
    """Close a round (idempotent): results to the author, key destruction scheduled.

    False when the round was not open. A closed round whose key still exists gets its
    results batch and forget schedule ensured again: a crash between the close and those
    writes (the close commits first) must not lose the author's results; the batch key and
    the schedule check make the repeat add nothing."""
    runtime = ctx.state(PulseRuntime)
    closed = await runtime.repo.close_round(round_id, at=ctx.clock.now())
    if closed:
        runtime.forget_cached(round_id)
    row = await runtime.repo.round(round_id)
    series = await runtime.repo.series(row.series_id) if row else None
    if row is None or series is None or row.state != "closed" or row.forgotten_at is not None:
        return closed
    await _results(ctx, series, row)
    await _ensure_forget(ctx, series, row)
    if closed:
        log.info("pulse round closed", extra={"series": series.id, "round": row.number})
    return closed


async def _results(ctx: Context, series: PulseSeries, row: PulseRound) -> None:
    if series.created_by.partition(":")[0] not in PLATFORMS:
        return  # made by the CLI (``cli:...``): nobody to DM; `hartslag pulse export` reads them
    author = await ctx.locale_for(user=person(series.created_by))
    text = await results_text(ctx.with_locale(author), series, row, group=series.team or ROOT)
    await ctx.delivery.enqueue(
        [Delivery(OutgoingMessage(text, title=series.title), user=person(series.created_by))],
        batch=f"pulse:{series.id}:{row.number}:results", owner=f"pulse:{series.id}")


async def _ensure_forget(ctx: Context, series: PulseSeries, row: PulseRound) -> None:
    owner = f"pulse:{series.id}"
    planned = await ctx.scheduler.list(kind_prefix=FORGET, owner=owner)
    if any(info.payload.get("round") == row.id for info in planned):
        return
    days = ctx.settings.get(PulseSettings).key_days
    at = (row.closed_at or ctx.clock.now()) + timedelta(days=days)
    await ctx.scheduler.add(FORGET, Trigger("once", at=at), {"round": row.id}, owner=owner)


async def close_job(payload: Mapping[str, Any], ctx: Context) -> None:
    await close_round(ctx, int(payload["round"]))


async def forget_job(payload: Mapping[str, Any], ctx: Context) -> None:
    runtime = ctx.state(PulseRuntime)
    round_id = int(payload["round"])
    if await runtime.repo.forget_round(round_id, at=ctx.clock.now()):
        runtime.forget_cached(round_id)
        log.info("pulse round key destroyed", extra={"round": round_id})


async def sweep_job(payload: Mapping[str, Any], ctx: Context) -> None:
    """Daily safety net: close rounds whose close job was missed (the process was down longer
    than the scheduler's missed-slot window) and destroy keys whose forget job was missed, so
    a key never outlives ``key_days`` by more than a day."""
    runtime = ctx.state(PulseRuntime)
    settings = ctx.settings.get(PulseSettings)
    late, due = await runtime.repo.overdue(ctx.clock.now(), key_days=settings.key_days)
    for round_id in late:
        await close_round(ctx, round_id)
    for round_id in due:
        await forget_job({"round": round_id}, ctx)

"""``summary <team> [pulse]`` for a team's managers, and the optional weekly summary DM
(job kind ``summaries.weekly``, one schedule per team)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import time, timedelta
from typing import Any

from commands.context import Context
from commands.delivery import Delivery
from commands.errors import Refused, UserError
from commands.grammar import ArgsError, parse_args
from commands.messages import CORE
from commands.model import CommandRequest, OutgoingMessage, Reply
from commands.org.directory import OrgDirectory
from commands.org.tree import TeamTree
from commands.pulse.jobs import person
from commands.pulse.settings import PulseSettings
from commands.router import Router
from commands.schedule import Trigger
from commands.summaries.summary import build
from commands.summaries.text import SUMMARY

WEEKLY = "summaries.weekly"
WEEKLY_AT = time(9, 0)  # Monday 09:00 Europe/Amsterdam


async def _weekly(ctx: Context, team: str, on: bool) -> Reply:
    tree = await ctx.store.repo(OrgDirectory).tree(ctx.settings.get(PulseSettings),
                                                   at=ctx.clock.now())
    if on and team not in tree.teams:
        raise UserError(ctx.text(SUMMARY, "no_team", team=team[:100]))
    owner = f"summary:{team}"
    existing = await ctx.scheduler.list(kind_prefix=WEEKLY, owner=owner)
    if on:
        if not existing:
            trigger = Trigger("weekly", time=WEEKLY_AT, weekday=0, start=ctx.clock.now())
            await ctx.scheduler.add(WEEKLY, trigger, {"team": team}, owner=owner)
        return Reply.text(ctx.text(SUMMARY, "weekly_on", team=team))
    for info in existing:
        await ctx.scheduler.cancel(info.id)
    return Reply.text(ctx.text(SUMMARY, "weekly_off", team=team))


async def _require_manager(ctx: Context, tree: TeamTree, team: str) -> None:
    """The manager role for ``team``, refused in words that fit the case: a manager of
    another team is told which teams are hers, not that she lacks the role."""
    if ctx.user is not None and await ctx.roles.has(ctx.user, "manager", team=team):
        return
    key = ctx.user.key if ctx.user is not None else ""
    mine = sorted(name for name, node in tree.teams.items() if key in node.managers)
    if mine and team not in tree.teams:
        raise UserError(ctx.text(SUMMARY, "unknown_team", team=team, mine=", ".join(mine)))
    if mine:
        raise Refused(ctx.text(SUMMARY, "not_your_team", team=team, mine=", ".join(mine)))
    await ctx.require("manager", team=team)


async def handle(request: CommandRequest, ctx: Context) -> Reply | None:
    try:
        args = parse_args(request.args)
    except ArgsError as exc:
        raise UserError(ctx.text(CORE, "bad_args", reason=str(exc))) from None
    if not args.words:
        raise UserError(ctx.text(SUMMARY, "usage"))
    # Config teams (and their managers' role grants) are synced on first use: before roles.
    tree = await ctx.store.repo(OrgDirectory).tree(ctx.settings.get(PulseSettings),
                                                   at=ctx.clock.now())
    if args.words[0].lower() in ("weekly", "wekelijks"):
        if len(args.words) != 3 or args.words[2].lower() not in ("on", "off", "aan", "uit"):
            raise UserError(ctx.text(SUMMARY, "usage"))
        team = args.words[1]
        await _require_manager(ctx, tree, team)
        return await _weekly(ctx, team, args.words[2].lower() in ("on", "aan"))
    team = args.words[0]
    await _require_manager(ctx, tree, team)
    series_id = None
    if len(args.words) > 1:
        word = args.words[1].lstrip("#")
        if not word.isdecimal():
            raise UserError(ctx.text(SUMMARY, "usage"))
        series_id = int(word)
    images = ctx.port.capabilities(request.address.platform).images
    summary = await build(ctx, team, series_id, images=images)
    return Reply(summary.message)


async def weekly_job(payload: Mapping[str, Any], ctx: Context) -> None:
    """DM the latest summary to each manager when a round closed in the past week."""
    team = str(payload["team"])
    settings = ctx.settings.get(PulseSettings)
    tree = await ctx.store.repo(OrgDirectory).tree(settings, at=ctx.clock.now())
    if team not in tree.teams:
        return
    deliveries = []
    messages: dict[str, OutgoingMessage | None] = {}
    for key in sorted(tree.teams[team].managers):
        user = person(key)
        locale = await ctx.locale_for(user=user)
        if locale not in messages:
            try:
                summary = await build(ctx.with_locale(locale), team)
            except UserError:
                messages[locale] = None
            else:
                recent = summary.closed_at is not None and summary.closed_at >= (
                    ctx.clock.now() - timedelta(days=7))
                messages[locale] = summary.message if recent else None
        message = messages[locale]
        if message is not None:
            deliveries.append(Delivery(message, user=user))
    if deliveries:
        day = ctx.clock.now().date().isoformat()
        await ctx.delivery.enqueue(deliveries, batch=f"summary:{team}:{day}", owner=f"summary:{team}")


def register(router: Router) -> None:
    router.command("summary", handle, aliases=("samenvatting",), help=(SUMMARY, "help"))
    router.job(WEEKLY, weekly_job)

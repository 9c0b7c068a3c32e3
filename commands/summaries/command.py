"""The ``summary`` command (declared in ``SUMMARY_COMMAND``) and the weekly summary job."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import time, timedelta
from typing import Any

from commands.context import Context
from commands.delivery import Delivery
from commands.errors import Refused, UserError
from commands.grammar import Args
from commands.model import CommandRequest, OutgoingMessage, Reply
from commands.org import load_tree
from commands.org.tree import TeamTree
from commands.pulse.jobs import person
from commands.schedule import Trigger
from commands.summaries.summary import build
from commands.summaries.text import SUMMARY
from commands.tree import Command, Param, Sub, T, Words

WEEKLY = "summaries.weekly"
WEEKLY_AT = time(9, 0)  # Monday 09:00 Europe/Amsterdam


async def _weekly(ctx: Context, team: str, on: bool) -> Reply:
    tree = await _team_tree(ctx)
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


async def _team_tree(ctx: Context) -> TeamTree:
    return await load_tree(ctx)


def _usage(ctx: Context, sub: Sub) -> str:
    return f"`{sub.usage(SUMMARY_COMMAND.words, ctx.locale)}`"


async def _summary(request: CommandRequest, ctx: Context, args: Args) -> Reply | None:
    tree = await _team_tree(ctx)
    team = args.words[0]
    await _require_manager(ctx, tree, team)
    series_id = None
    if len(args.words) > 1:
        word = args.words[1].lstrip("#")
        if not word.isdecimal():
            raise UserError(ctx.text(SUMMARY, "bad_pulse", word=word[:20],
                                     usage=_usage(ctx, SUMMARY_ROOT)))
        series_id = int(word)
    images = ctx.port.capabilities(request.address.platform).images
    return Reply((await build(ctx, team, series_id, images=images)).message)


async def _weekly_command(request: CommandRequest, ctx: Context, args: Args) -> Reply | None:
    tree = await _team_tree(ctx)
    team, switch = args.words[0], args.words[1]  # the tree's canonical choice: on or off
    if len(args.words) > 2:
        raise UserError(ctx.text(SUMMARY, "bad_switch", usage=_usage(ctx, WEEKLY_SUB)))
    await _require_manager(ctx, tree, team)
    return await _weekly(ctx, team, switch == "on")


async def weekly_job(payload: Mapping[str, Any], ctx: Context) -> None:
    """DM the latest summary to each manager when a round closed in the past week."""
    team = str(payload["team"])
    tree = await load_tree(ctx)
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


MANAGER = ("manager",)
TEAM = Param(Words("team", "team"), required=True)
SUMMARY_ROOT = Sub(
    Words("", ""), T("de resultaten van je team: deelname, gemiddelden, eNPS en het verloop, "
                     "van de laatste gesloten peiling of van het nummer dat je noemt",
                     "your team's results: participation, means, eNPS and the trend, of the "
                     "last closed poll or of the number you give"),
    _summary, params=(TEAM, Param(Words("pulse", "peiling"))), roles=MANAGER,
    example=T("samenvatting demo", "summary demo"))
WEEKLY_SUB = Sub(
    Words("weekly", "wekelijks"), T("elke maandag om 9:00 de samenvatting als DM, als er die "
                                    "week een ronde sloot", "the summary as a DM every Monday "
                                    "at 9:00 when a round closed that week"),
    _weekly_command, roles=MANAGER, params=(TEAM, Param(
        Words("switch", "schakelaar"), required=True,
        choices=(Words("on", "aan"), Words("off", "uit")))),
    example=T("samenvatting wekelijks demo aan", "summary weekly demo on"))
SUMMARY_COMMAND = Command(
    Words("summary", "samenvatting"),
    T("samenvattingen van peilingen voor leidinggevenden", "poll summaries for managers"),
    subs=(WEEKLY_SUB,), root=SUMMARY_ROOT)

"""Organisation teams (``team ...``): who is in which team, who manages it, which team is
the parent of which. Pulses go to teams; summaries are for a team's managers.

Teams come from ``[pulse.teams]`` in the config, a CSV import (``hartslag pulse teams
import``) and these commands. A manager gets the ``manager`` role for that team.
"""

from __future__ import annotations

import re

from commands.context import Context
from commands.errors import UserError
from commands.grammar import ArgsError, parse_args
from commands.messages import CORE
from commands.model import PLATFORMS, CommandRequest, Reply
from commands.org.directory import OrgDirectory
from commands.org.text import ORG
from commands.org.tree import TeamTree
from commands.pulse.settings import PulseSettings
from commands.router import Router

TEAM_NAME = re.compile(r"^[\w.-]{1,100}$")


def check_team_name(ctx: Context, value: str) -> str:
    if not TEAM_NAME.match(value) or value == "*":
        raise UserError(ctx.text(ORG, "bad_name", value=value[:60]))
    return value


def check_person(ctx: Context, value: str) -> str:
    platform, sep, ident = value.partition(":")
    if not sep or platform not in PLATFORMS or not ident or len(value) > 300:
        raise UserError(ctx.text(ORG, "bad_user", value=value[:60]))
    return value


async def load_tree(ctx: Context) -> TeamTree:
    return await ctx.store.repo(OrgDirectory).tree(ctx.settings.get(PulseSettings),
                                                   at=ctx.clock.now())


def _parent_suffix(ctx: Context, parent: str | None) -> str:
    return ctx.text(ORG, "parent_suffix", parent=parent) if parent else ""


async def _list(ctx: Context, tree: TeamTree) -> Reply:
    if not tree.teams:
        return Reply.text(ctx.text(ORG, "list_empty"))
    lines = [ctx.text(ORG, "list_title")]
    for name in sorted(tree.teams, key=lambda n: ([*reversed(tree.ancestors(n)), n])):
        team = tree.teams[name]
        indent = "  " * len(tree.ancestors(name))
        lines.append(indent + "- " + ctx.text(ORG, "list_line", team=name,
                                               parent=_parent_suffix(ctx, team.parent),
                                               members=len(team.members),
                                               managers=len(team.managers)))
    return Reply.text("\n".join(lines))


def _show(ctx: Context, tree: TeamTree, name: str) -> Reply:
    team = tree.teams.get(name)
    if team is None:
        raise UserError(ctx.text(ORG, "no_team", team=name))
    none = ctx.text(ORG, "none")
    return Reply.text(ctx.text(
        ORG, "show", team=name, parent=_parent_suffix(ctx, team.parent),
        count=len(team.members),
        members=", ".join(f"`{m}`" for m in sorted(team.members)) or none,
        managers=", ".join(f"`{m}`" for m in sorted(team.managers)) or none,
        children=", ".join(f"`{c}`" for c in tree.children(name)) or none))


async def _add(ctx: Context, tree: TeamTree, name: str, parent: str | None) -> Reply:
    if parent is not None:
        check_team_name(ctx, parent)
        if parent not in tree.teams:
            raise UserError(ctx.text(ORG, "no_parent", team=parent))
        if name in tree.teams and tree.would_cycle(name, parent):
            raise UserError(ctx.text(ORG, "cycle", team=name))
        if parent == name:
            raise UserError(ctx.text(ORG, "cycle", team=name))
    directory = ctx.store.repo(OrgDirectory)
    await directory.repo.upsert_team(name, parent)
    directory.invalidate()
    return Reply.text(ctx.text(ORG, "added", team=name, parent=_parent_suffix(ctx, parent)))


async def _people(ctx: Context, tree: TeamTree, words: list[str], *, manager: bool,
                  by: str) -> Reply:
    if len(words) < 3 or words[0].lower() not in ("add", "remove", "toevoegen", "verwijderen"):
        raise UserError(ctx.text(ORG, "usage"))
    present = words[0].lower() in ("add", "toevoegen")
    name = check_team_name(ctx, words[1])
    if name not in tree.teams:
        raise UserError(ctx.text(ORG, "no_team", team=name))
    people = [check_person(ctx, w) for w in words[2:]]
    directory = ctx.store.repo(OrgDirectory)
    changed = 0
    for person in people:
        changed += await directory.repo.set_person(name, person, manager=manager,
                                                   present=present, by=by, at=ctx.clock.now())
    directory.invalidate()
    what = ctx.text(ORG, "what.manager" if manager else "what.member")
    return Reply.text(ctx.text(ORG, "people_changed", team=name, count=changed, what=what))


async def handle(request: CommandRequest, ctx: Context) -> Reply | None:
    try:
        args = parse_args(request.args)
    except ArgsError as exc:
        raise UserError(ctx.text(CORE, "bad_args", reason=str(exc))) from None
    action = args.pop_word()
    tree = await load_tree(ctx)
    if action in (None, "list", "lijst"):
        return await _list(ctx, tree)
    if action in ("show", "toon") and args.words:
        return _show(ctx, tree, args.words[0])
    if action in ("add", "toevoegen") and args.words:
        name = check_team_name(ctx, args.words[0])
        return await _add(ctx, tree, name, args.options.get("parent"))
    if action in ("remove", "verwijderen") and args.words:
        name = check_team_name(ctx, args.words[0])
        directory = ctx.store.repo(OrgDirectory)
        if not await directory.repo.remove_team(name):
            raise UserError(ctx.text(ORG, "no_team", team=name))
        directory.invalidate()
        return Reply.text(ctx.text(ORG, "removed", team=name))
    if action in ("member", "lid", "leden", "members"):
        return await _people(ctx, tree, args.words, manager=False, by=request.user.key)
    if action in ("manager", "leidinggevende", "managers"):
        return await _people(ctx, tree, args.words, manager=True, by=request.user.key)
    raise UserError(ctx.text(ORG, "usage"))


def register(router: Router) -> None:
    router.command("team", handle, aliases=("teams",), role="admin", help=(ORG, "help"))

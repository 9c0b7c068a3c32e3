"""Organisation teams (``team ...``): who is in which team, who manages it, which team is
the parent of which. Pulses go to teams; summaries are for a team's managers. The command is
declared in ``TEAM``: admins do everything, a manager may ``show`` the teams she manages.

Teams come from ``[org.teams]`` in the config, a CSV import (``hartslag pulse teams
import``) and these commands. A manager gets the ``manager`` role for that team.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from commands.errors import UserError
from commands.grammar import Args
from commands.model import PLATFORMS, CommandRequest, Reply
from commands.org.directory import OrgDirectory
from commands.org.settings import OrgSettings
from commands.org.text import ORG
from commands.org.tree import TeamTree
from commands.tree import Command, Param, Sub, T, Words

if TYPE_CHECKING:  # annotations only: the manifest imports this package (start-up)
    from commands.context import Context
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
    return await ctx.state(OrgDirectory).tree(ctx.settings.get(OrgSettings),
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
    directory = ctx.state(OrgDirectory)
    await directory.repo.upsert_team(name, parent)
    directory.invalidate()
    return Reply.text(ctx.text(ORG, "added", team=name, parent=_parent_suffix(ctx, parent)))


async def _people(request: CommandRequest, ctx: Context, args: Args, *,
                  manager: bool) -> Reply:
    words = args.words
    present = words[0] == "add"  # the tree's canonical choice: add or remove
    tree = await load_tree(ctx)
    name = check_team_name(ctx, words[1])
    if name not in tree.teams:
        raise UserError(ctx.text(ORG, "no_team", team=name))
    people = [check_person(ctx, w) for w in words[2:]]
    directory = ctx.state(OrgDirectory)
    changed = 0
    for person in people:
        changed += await directory.repo.set_person(name, person, manager=manager,
                                                   present=present, by=request.user.key,
                                                   at=ctx.clock.now())
    directory.invalidate()
    what = ctx.text(ORG, "what.manager" if manager else "what.member")
    return Reply.text(ctx.text(ORG, "people_changed", team=name, count=changed, what=what))


# -- the subcommands (roles are declared in TEAM and checked by the tree) ---------------
async def _list_command(request: CommandRequest, ctx: Context, args: Args) -> Reply:
    return await _list(ctx, await load_tree(ctx))


async def _show_command(request: CommandRequest, ctx: Context, args: Args) -> Reply:
    name = args.words[0]
    # A manager may look at the teams she manages; the whole directory is the admin's.
    if not await ctx.roles.has(request.user, "admin") and not await ctx.roles.has(
            request.user, "manager", team=name):
        raise UserError(ctx.text(ORG, "not_your_team", team=name[:100]))
    return _show(ctx, await load_tree(ctx), name)


async def _add_command(request: CommandRequest, ctx: Context, args: Args) -> Reply:
    name = check_team_name(ctx, args.words[0])
    return await _add(ctx, await load_tree(ctx), name, args.options.get("parent"))


async def _remove_command(request: CommandRequest, ctx: Context, args: Args) -> Reply:
    name = check_team_name(ctx, args.words[0])
    directory = ctx.state(OrgDirectory)
    if not await directory.repo.remove_team(name):
        raise UserError(ctx.text(ORG, "no_team", team=name))
    directory.invalidate()
    return Reply.text(ctx.text(ORG, "removed", team=name))


async def _members(request: CommandRequest, ctx: Context, args: Args) -> Reply:
    return await _people(request, ctx, args, manager=False)


async def _managers(request: CommandRequest, ctx: Context, args: Args) -> Reply:
    return await _people(request, ctx, args, manager=True)


_TEAM = Param(Words("team", "team"), required=True)
_PEOPLE = (Param(Words("action", "actie"), required=True,
                 choices=(Words("add", "toevoegen"), Words("remove", "verwijderen"))), _TEAM,
           Param(Words("person", "persoon"), required=True, many=True))
TEAM = Command(
    Words("team", "team", ("teams",)),
    T("teams voor peilingen, samenvattingen en Verbinden",
      "teams for pulses, summaries and Verbinden"),
    subs=(
        Sub(Words("list", "lijst"), T("alle teams, met hun plaats in de boom en aantallen",
                                      "every team, with its place in the tree and counts"),
            _list_command, roles=("admin",), example=T("team lijst", "team list")),
        # A manager may look at her own team (who her summaries are about); which teams
        # are hers is checked in the handler. Changing teams stays with the admins.
        Sub(Words("show", "toon"), T("leden, leidinggevenden en subteams van een team "
                                     "(leidinggevenden: hun eigen team)",
                                     "members, managers and sub-teams of a team (managers: "
                                     "their own team)"),
            _show_command, params=(_TEAM,), roles=("admin", "manager"),
            example=T("team toon demo", "team show demo")),
        Sub(Words("add", "toevoegen"), T("een team maken of het onder een ander hangen",
                                         "create a team or move it below another"),
            _add_command, params=(_TEAM, Param(Words("parent", "boven", ("bovenliggend",)),
                                               option=True, value=Words("team", "team"))),
            roles=("admin",), example=T("team toevoegen zorg --boven demo",
                                        "team add care --parent demo")),
        Sub(Words("remove", "verwijderen", ("verwijder",)),
            T("een team weghalen; subteams schuiven een niveau op",
              "remove a team; its sub-teams move up one level"),
            _remove_command, params=(_TEAM,), roles=("admin",),
            example=T("team verwijderen demo", "team remove demo")),
        Sub(Words("member", "lid", ("leden", "members")),
            T("leden toevoegen of weghalen (`platform:id`)",
              "add or remove members (`platform:id`)"),
            _members, params=_PEOPLE, roles=("admin",),
            example=T("team lid toevoegen demo local:bram", "team member add demo local:bram")),
        Sub(Words("manager", "leidinggevende", ("managers", "leidinggevenden")),
            T("leidinggevenden toevoegen of weghalen; zij lezen de samenvattingen van het team",
              "add or remove managers; they read the team's summaries"),
            _managers, params=_PEOPLE, roles=("admin",),
            example=T("team leidinggevende toevoegen demo local:sara",
                      "team manager add demo local:sara")),
    ),
    default="list")


async def sync_teams(ctx: Context) -> None:
    """The config's teams into the database, once per process: their managers hold the
    manager role through them, which every role check and ``help`` must already see."""
    await ctx.state(OrgDirectory).sync_config(ctx.settings.get(OrgSettings),
                                                   at=ctx.clock.now())


def register(router: Router) -> None:
    router.tree(TEAM)
    router.before_roles("manager", sync_teams)

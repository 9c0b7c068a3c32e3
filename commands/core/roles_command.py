"""``role list|grant|revoke``: admins manage who may announce, triage and read summaries."""

from __future__ import annotations

from commands.context import Context
from commands.errors import UserError
from commands.grammar import Args
from commands.messages import CORE
from commands.model import PLATFORMS, CommandRequest, Reply
from commands.roles import ROLES
from commands.router import Router
from commands.tree import Command, Param, Sub, T, Words
from storage.roles import RoleRepository


def _user_key(ctx: Context, value: str) -> str:
    platform, sep, ident = value.partition(":")
    if not sep or platform not in PLATFORMS or not ident or len(value) > 300:
        raise UserError(ctx.text(CORE, "role.bad_user", value=value[:60]))
    return value


def _team_suffix(ctx: Context, team: str) -> str:
    return ctx.text(CORE, "role.team_suffix", team=team) if team else ""


async def _list(request: CommandRequest, ctx: Context, args: Args) -> Reply:
    grants = [(r, u, t or "") for r, u, t in ctx.roles.config_grants()]
    grants += [(g.role, g.user_key, g.team) for g in await ctx.store.repo(RoleRepository).all()]
    if not grants:
        return Reply.text(ctx.text(CORE, "role.list_empty"))
    lines = [ctx.text(CORE, "role.list_title")]
    for role, user, team in sorted(set(grants)):
        name = ctx.text(CORE, f"role.{role}")
        lines.append(f"- `{user}`: {name}{_team_suffix(ctx, team)}")
    return Reply.text("\n".join(lines))


async def _change(request: CommandRequest, ctx: Context, args: Args, *, grant: bool) -> Reply:
    role, raw_user = args.words[0].lower(), args.words[1]
    if role not in ROLES:
        raise UserError(ctx.text(CORE, "role.bad_role", value=role[:30]))
    user = _user_key(ctx, raw_user)
    team = args.words[2] if len(args.words) > 2 else ""
    if role == "manager" and not team:
        raise UserError(ctx.text(CORE, "role.team_needed"))
    repo = ctx.store.repo(RoleRepository)
    values = {"user": f"`{user}`", "role": ctx.text(CORE, f"role.{role}"),
              "team": _team_suffix(ctx, team)}
    if grant:
        await repo.grant(role, user, team, by=request.user.key, at=ctx.clock.now())
        return Reply.text(ctx.text(CORE, "role.granted", **values))
    if await repo.revoke(role, user, team):
        return Reply.text(ctx.text(CORE, "role.revoked", **values))
    return Reply.text(ctx.text(CORE, "role.not_found", **values))


async def _grant(request: CommandRequest, ctx: Context, args: Args) -> Reply:
    return await _change(request, ctx, args, grant=True)


async def _revoke(request: CommandRequest, ctx: Context, args: Args) -> Reply:
    return await _change(request, ctx, args, grant=False)


_WHO = (Param(Words("role", "rol"), required=True), Param(Words("person", "persoon"), required=True),
        Param(Words("team", "team")))
ROLE = Command(
    Words("role", "rol", ("roles", "rollen")),
    T("rollen beheren: wie mag aankondigen, signalen behandelen, samenvattingen lezen",
      "manage roles: who may announce, handle signals, read summaries"),
    subs=(
        Sub(Words("list", "lijst"), T("alle toegekende rollen", "every role granted"), _list,
            example=T("rol lijst", "role list"), roles=("admin",)),
        Sub(Words("grant", "geef"), T("geef iemand een rol (manager: met team)",
                                      "give someone a role (manager: with a team)"),
            _grant, params=_WHO, roles=("admin",),
            example=T("rol geef comms local:sara", "role grant manager local:omar demo")),
        Sub(Words("revoke", "intrekken", ("trek",)), T("neem iemand een rol af",
                                                       "take a role away"),
            _revoke, params=_WHO, roles=("admin",),
            example=T("rol intrekken comms local:sara", "role revoke comms local:sara")),
    ),
    default="list")


def register(router: Router) -> None:
    router.tree(ROLE)

"""``role list|grant|revoke``: admins manage who may announce, triage and read summaries."""

from __future__ import annotations

from commands.context import Context
from commands.errors import UserError
from commands.grammar import ArgsError, parse_args
from commands.messages import CORE
from commands.model import PLATFORMS, CommandRequest, Reply
from commands.roles import ROLES
from commands.router import Router
from storage.roles import RoleRepository


def _user_key(ctx: Context, value: str) -> str:
    platform, sep, ident = value.partition(":")
    if not sep or platform not in PLATFORMS or not ident or len(value) > 300:
        raise UserError(ctx.text(CORE, "role.bad_user", value=value[:60]))
    return value


def _team_suffix(ctx: Context, team: str) -> str:
    return ctx.text(CORE, "role.team_suffix", team=team) if team else ""


async def _list(ctx: Context) -> Reply:
    roles = ctx.roles
    grants: list[tuple[str, str, str]] = []
    config_grants = getattr(roles, "config_grants", None)
    if callable(config_grants):
        grants += [(r, u, t or "") for r, u, t in config_grants()]
    grants += [(g.role, g.user_key, g.team) for g in await ctx.store.repo(RoleRepository).all()]
    if not grants:
        return Reply.text(ctx.text(CORE, "role.list_empty"))
    lines = [ctx.text(CORE, "role.list_title")]
    for role, user, team in sorted(set(grants)):
        name = ctx.text(CORE, f"role.{role}")
        lines.append(f"- `{user}`: {name}{_team_suffix(ctx, team)}")
    return Reply.text("\n".join(lines))


async def handle(request: CommandRequest, ctx: Context) -> Reply | None:
    try:
        args = parse_args(request.args)
    except ArgsError as exc:
        raise UserError(ctx.text(CORE, "bad_args", reason=str(exc))) from None
    action = args.pop_word()
    if action in (None, "list", "lijst"):
        return await _list(ctx)
    if action not in ("grant", "geef", "revoke", "intrekken") or len(args.words) < 2:
        raise UserError(ctx.text(CORE, "role.usage"))
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
    if action in ("grant", "geef"):
        await repo.grant(role, user, team, by=request.user.key, at=ctx.clock.now())
        return Reply.text(ctx.text(CORE, "role.granted", **values))
    if await repo.revoke(role, user, team):
        return Reply.text(ctx.text(CORE, "role.revoked", **values))
    return Reply.text(ctx.text(CORE, "role.not_found", **values))


def register(router: Router) -> None:
    router.command("role", handle, aliases=("rol", "roles", "rollen"), role="admin",
                   help=(CORE, "help.role"))

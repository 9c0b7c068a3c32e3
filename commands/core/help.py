"""``help``: the commands the caller may use, in the caller's language."""

from __future__ import annotations

from commands.context import Context
from commands.messages import CORE
from commands.model import CommandRequest, Reply
from commands.router import Router


def register(router: Router) -> None:
    async def handle(request: CommandRequest, ctx: Context) -> Reply | None:
        lines = [ctx.text(CORE, "help.title"), ""]
        for spec in router.commands:
            if spec.help is None:
                continue
            needed = spec.role or spec.help_role
            if needed and not await ctx.roles.has(request.user, needed):
                continue
            catalog, key = spec.help
            lines.append(f"- {ctx.text(catalog, key)}")
        lines += ["", ctx.text(CORE, "help.footer")]
        return Reply.text("\n".join(lines))

    router.command("help", handle, aliases=("hulp", "?"), help=(CORE, "help.help"))

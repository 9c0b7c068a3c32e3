"""``language nl|en``: the caller's language, stored as a preference."""

from __future__ import annotations

from commands.context import Context
from commands.errors import UserError
from commands.i18n import normalise_locale
from commands.messages import CORE
from commands.model import CommandRequest, Reply
from commands.router import Router
from storage.preferences import PreferenceRepository


async def handle(request: CommandRequest, ctx: Context) -> Reply | None:
    value = request.args.strip()
    if not value:
        return Reply.text(ctx.text(CORE, "language.show"))
    locale = normalise_locale(value)
    if locale is None:
        raise UserError(ctx.text(CORE, "language.bad", value=value[:20]))
    await ctx.store.repo(PreferenceRepository).set_locale(request.user.key, locale)
    return Reply.text(CORE.get(locale, "language.set"))


def register(router: Router) -> None:
    router.command("language", handle, aliases=("taal", "lang"), help=(CORE, "help.language"))

"""``language nl|en``: the caller's language, stored as a preference. With ``--channel``
(``--kanaal``) an admin sets the language of the channel for everyone who chose none."""

from __future__ import annotations

from commands.context import Context
from commands.errors import UserError
from commands.grammar import ArgsError, parse_args
from commands.i18n import normalise_locale
from commands.messages import CORE
from commands.model import CommandRequest, Reply
from commands.router import Router
from storage.preferences import PreferenceRepository

CHANNEL_FLAGS = frozenset({"channel", "kanaal"})


async def handle(request: CommandRequest, ctx: Context) -> Reply | None:
    try:
        args = parse_args(request.args, flags=CHANNEL_FLAGS)
    except ArgsError as exc:
        raise UserError(ctx.text(CORE, "bad_args", reason=str(exc))) from None
    value = args.rest().strip()
    if not value:
        return Reply.text(ctx.text(CORE, "language.show"))
    locale = normalise_locale(value)
    if locale is None:
        raise UserError(ctx.text(CORE, "language.bad", value=value[:20]))
    prefs = ctx.store.repo(PreferenceRepository)
    if args.flags & CHANNEL_FLAGS:
        await ctx.require("admin")
        await prefs.set(f"channel:{request.address.without_thread()}", "locale", locale)
        return Reply.text(CORE.get(locale, "language.channel_set"))
    await prefs.set_locale(request.user.key, locale)
    return Reply.text(CORE.get(locale, "language.set"))


def register(router: Router) -> None:
    router.command("language", handle, aliases=("taal", "lang"), help=(CORE, "help.language"))

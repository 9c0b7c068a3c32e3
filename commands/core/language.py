"""``language nl|en``: the caller's language, stored as a preference. With ``--channel``
(``--kanaal``) an admin sets the language of the channel for everyone who chose none."""

from __future__ import annotations

from commands.context import Context
from commands.errors import UserError
from commands.grammar import Args
from commands.i18n import normalise_locale
from commands.messages import CORE
from commands.model import CommandRequest, Reply
from commands.router import Router
from commands.tree import Command, Param, Sub, T, Words
from storage.preferences import PreferenceRepository


async def handle(request: CommandRequest, ctx: Context, args: Args) -> Reply | None:
    value = args.rest().strip()
    if not value:
        return Reply.text(ctx.text(CORE, "language.show"))
    locale = normalise_locale(value)
    if locale is None:
        raise UserError(ctx.text(CORE, "language.bad", value=value[:20]))
    prefs = ctx.store.repo(PreferenceRepository)
    if "channel" in args.flags:
        await ctx.require("admin")
        await prefs.set(f"channel:{request.address.without_thread()}", "locale", locale)
        return Reply.text(CORE.get(locale, "language.channel_set"))
    await prefs.set_locale(request.user.key, locale)
    return Reply.text(CORE.get(locale, "language.set"))


LANGUAGE = Command(
    Words("language", "taal", ("lang",)),
    T("kies je taal", "choose your language"),
    root=Sub(Words("", ""), T("kies `nl` of `en` voor jezelf; met `--kanaal` (beheerder) voor "
                              "het kanaal", "choose `nl` or `en` for yourself; with `--channel` "
                              "(administrator) for the channel"),
             handle, params=(Param(Words("language", "taal")),
                             Param(Words("channel", "kanaal"), flag=True)),
             example=T("taal en", "language nl")))


def register(router: Router) -> None:
    router.tree(LANGUAGE)

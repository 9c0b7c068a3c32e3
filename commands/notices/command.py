"""``notifications`` (``meldingen``): a person's choice between immediate messages and a daily
digest, and their quiet hours; ``hooks failures`` for admins. Both as declared trees
(``commands.tree``), so help, usage and argument errors come from the declarations."""

from __future__ import annotations

from collections.abc import Callable

from commands.context import Context
from commands.errors import UserError
from commands.grammar import Args
from commands.model import CommandRequest, Reply
from commands.notices.messages import TEXT
from commands.notices.settings import HookSettings, check_quiet, check_time
from commands.tree import Command, Param, Sub, T, Words
from storage.notices import NoticeRepository
from storage.people import PeopleRepository, Person

DEFAULT_DIGEST = "08:30"


def _show(ctx: Context, person: Person) -> str:
    settings = ctx.settings.get(HookSettings)
    return ctx.text(TEXT, "show", mode=ctx.text(TEXT, f"mode.{person.mode}"),
                    digest=person.digest_time or settings.default_digest_time,
                    quiet=person.quiet or settings.default_quiet)


async def _person(request: CommandRequest, ctx: Context) -> Person:
    person = await ctx.store.repo(PeopleRepository).by_platform_id(request.user.platform,
                                                                    request.user.id)
    if person is None or person.id is None:
        raise UserError(ctx.text(TEXT, "not_in_directory"))
    return person


async def _saved(ctx: Context, person_id: int) -> Reply:
    updated = await ctx.store.repo(PeopleRepository).get(person_id)
    assert updated is not None
    return Reply.text(ctx.text(TEXT, "set", show=_show(ctx, updated)))


async def show(request: CommandRequest, ctx: Context, args: Args) -> Reply:
    return Reply.text(_show(ctx, await _person(request, ctx)))


async def immediate(request: CommandRequest, ctx: Context, args: Args) -> Reply:
    person = await _person(request, ctx)
    assert person.id is not None
    await ctx.store.repo(PeopleRepository).set_preferences(person.id, mode="immediate")
    return await _saved(ctx, person.id)


async def digest(request: CommandRequest, ctx: Context, args: Args) -> Reply:
    person = await _person(request, ctx)
    assert person.id is not None
    value = args.words[0] if args.words else DEFAULT_DIGEST
    at = _checked(ctx, value, check_time, "bad_time")
    await ctx.store.repo(PeopleRepository).set_preferences(person.id, mode="digest",
                                                           digest_time=at)
    return await _saved(ctx, person.id)


async def quiet(request: CommandRequest, ctx: Context, args: Args) -> Reply:
    person = await _person(request, ctx)
    assert person.id is not None
    hours = _checked(ctx, args.words[0], check_quiet, "bad_quiet")
    await ctx.store.repo(PeopleRepository).set_preferences(person.id, quiet=hours)
    return await _saved(ctx, person.id)


def _checked(ctx: Context, value: str, check: Callable[[str], str], key: str) -> str:
    try:
        return check(value)
    except ValueError:
        raise UserError(ctx.text(TEXT, key, value=value[:20])) from None


async def failures(request: CommandRequest, ctx: Context, args: Args) -> Reply:
    rows = await ctx.store.repo(NoticeRepository).rejected()
    if not rows:
        return Reply.text(ctx.text(TEXT, "failures.none"))
    lines = [ctx.text(TEXT, "failures.title")]
    lines += [ctx.text(TEXT, "failures.line", id=r.id, source=r.source,
                       day=r.received_at.date().isoformat(), reason=r.reason) for r in rows]
    return Reply.text("\n".join(lines))


NOTIFICATIONS = Command(
    Words("notifications", "meldingen", ("notificaties",)),
    T("hoe je meldingen uit werksystemen krijgt", "how you receive notifications from work "
      "systems"),
    subs=(
        Sub(Words("show", "toon"), T("hoe je ze nu krijgt", "how you receive them now"), show,
            example=T("meldingen toon", "notifications show")),
        Sub(Words("direct", "direct", ("immediate", "meteen")),
            T("elke melding meteen", "every notification immediately"), immediate,
            example=T("meldingen direct", "notifications direct")),
        Sub(Words("digest", "digest", ("samenvatting",)),
            T("één keer per dag een samenvatting, om HH:MM (standaard 08:30)",
              "a digest once a day, at HH:MM (default 08:30)"), digest,
            params=(Param(Words("time", "tijd")),),
            example=T("meldingen digest 08:30", "notifications digest 08:30")),
        Sub(Words("quiet", "stil"), T("je stille uren, zoals 18:00-08:00",
                                      "your quiet hours, such as 18:00-08:00"), quiet,
            params=(Param(Words("hours", "uren"), required=True),),
            example=T("meldingen stil 18:00-08:00", "notifications quiet 18:00-08:00")),
    ),
    default="show")

HOOKS = Command(
    Words("hooks", "koppelingen"),
    T("koppelingen met werksystemen", "links with work systems"),
    subs=(
        Sub(Words("failures", "mislukt", ("fouten", "errors")),
            T("meldingen die niet konden worden verwerkt", "notifications that could not be "
              "processed"), failures, roles=("admin",),
            example=T("koppelingen mislukt", "hooks failures")),
    ),
    default="failures")

"""``notifications`` (``meldingen``): a person's choice between immediate messages and a daily
digest, and their quiet hours; ``hooks failures`` for admins."""

from __future__ import annotations

from collections.abc import Callable

from commands.context import Context
from commands.errors import UserError
from commands.model import CommandRequest, Reply
from commands.notices.messages import TEXT
from commands.notices.settings import HookSettings, check_quiet, check_time
from storage.notices import NoticeRepository
from storage.people import PeopleRepository, Person


def _show(ctx: Context, person: Person) -> str:
    settings = ctx.settings.get(HookSettings)
    return ctx.text(TEXT, "show", mode=ctx.text(TEXT, f"mode.{person.mode}"),
                    digest=person.digest_time or settings.default_digest_time,
                    quiet=person.quiet or settings.default_quiet)


async def notifications(request: CommandRequest, ctx: Context) -> Reply:
    repo = ctx.store.repo(PeopleRepository)
    person = await repo.by_platform_id(request.user.platform, request.user.id)
    if person is None or person.id is None:
        raise UserError(ctx.text(TEXT, "not_in_directory"))
    words = request.args.split()
    if not words:
        return Reply.text(_show(ctx, person))
    action, value = words[0].lower(), (words[1] if len(words) > 1 else "")
    if action in ("direct", "immediate", "meteen"):
        await repo.set_preferences(person.id, mode="immediate")
    elif action in ("digest", "samenvatting"):
        digest = _checked(ctx, value or "08:30", check_time, "bad_time")
        await repo.set_preferences(person.id, mode="digest", digest_time=digest)
    elif action in ("quiet", "stil"):
        await repo.set_preferences(person.id, quiet=_checked(ctx, value, check_quiet, "bad_quiet"))
    else:
        raise UserError(ctx.text(TEXT, "usage"))
    updated = await repo.get(person.id)
    assert updated is not None
    return Reply.text(ctx.text(TEXT, "set", show=_show(ctx, updated)))


def _checked(ctx: Context, value: str, check: Callable[[str], str], key: str) -> str:
    try:
        return check(value)
    except ValueError:
        raise UserError(ctx.text(TEXT, key, value=value[:20])) from None


async def hooks(request: CommandRequest, ctx: Context) -> Reply:
    rows = await ctx.store.repo(NoticeRepository).rejected()
    if not rows:
        return Reply.text(ctx.text(TEXT, "failures.none"))
    lines = [ctx.text(TEXT, "failures.title")]
    lines += [ctx.text(TEXT, "failures.line", id=r.id, source=r.source,
                       day=r.received_at.date().isoformat(), reason=r.reason) for r in rows]
    return Reply.text("\n".join(lines))

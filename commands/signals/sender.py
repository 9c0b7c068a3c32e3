"""What the sender can do afterwards, with their secret code: read, reply, close; and the
honest information about what anonymous means here."""

from __future__ import annotations

from commands.context import Context
from commands.errors import UserError
from commands.markup import escape_text
from commands.model import Reply, UserRef
from commands.signals.codes import normalise_code
from commands.signals.service import (
    is_blocked,
    keys,
    repo,
    settings,
    status_name,
    today,
)
from commands.signals.text import SIGNALS
from storage.signals import CaseView, EntryView


async def find_by_code(ctx: Context, raw: str) -> tuple[CaseView, str]:
    """The case of a code as typed, and the canonical code; UserError when there is none."""
    conf = settings(ctx)
    code = normalise_code(raw)
    if code is None:
        raise UserError(ctx.text(SIGNALS, "code.bad", value=escape_text(raw[:30])))
    case = await repo(ctx).by_code((await keys(ctx)).keyed_all("code", code))
    if case is None:
        raise UserError(ctx.text(SIGNALS, "code.unknown", months=conf.retention_months))
    return case, code


def info(ctx: Context) -> Reply:
    conf = settings(ctx)
    return Reply.text(ctx.text(
        SIGNALS, "info", months=conf.retention_months, limit=conf.rate_limit,
        days=conf.rate_period_days, pointer=escape_text(conf.whistleblower(ctx.locale)),
        url=conf.whistleblower_url,
    ))


def render_entry(ctx: Context, entry: EntryView, *, triage: bool = False) -> str:
    kind = "sender_triage" if triage and entry.kind == "sender" else entry.kind
    return ctx.text(SIGNALS, f"show.entry.{kind}", day=entry.day.isoformat(),
                    text=escape_text(entry.text), author=f"`{entry.author}`")


async def show(ctx: Context, raw: str) -> Reply:
    case, _ = await find_by_code(ctx, raw)
    lines = [ctx.text(SIGNALS, "show.head", day=case.received.isoformat(),
                      status=status_name(ctx, case.status)), "", escape_text(case.text)]
    for entry in await repo(ctx).entries(case.ref, notes=False):
        lines += ["", render_entry(ctx, entry)]
    return Reply.text("\n".join(lines))


async def add_sender_reply(ctx: Context, user: UserRef, raw_code: str, text: str) -> str:
    """Store the sender's reply (no author, a day) and return the case reference."""
    case, _ = await find_by_code(ctx, raw_code)
    if case.status == "closed":
        raise UserError(ctx.text(SIGNALS, "case.closed_sender"))
    if await is_blocked(ctx, user):
        raise UserError(ctx.text(SIGNALS, "blocked"))
    status = "in_progress" if case.status == "answered" else None
    added = await repo(ctx).add_entry(case.ref, "sender", text, author="", day=today(ctx),
                                      status=status, sender_replied=True)
    if not added:
        raise UserError(ctx.text(SIGNALS, "case.closed_sender"))
    return case.ref


async def close(ctx: Context, raw: str) -> Reply:
    conf = settings(ctx)
    case, _ = await find_by_code(ctx, raw)
    if case.status == "closed":
        raise UserError(ctx.text(SIGNALS, "case.closed_sender"))
    await repo(ctx).set_status(case.ref, "closed", day=today(ctx))
    return Reply.text(ctx.text(SIGNALS, "close.done", months=conf.retention_months))

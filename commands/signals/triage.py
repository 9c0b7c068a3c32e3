"""The triage team's side: inbox, case, answer, note, status, assign, block, publish, digest.

The team works with case references only. Answers reach the sender through the relay (the
sealed mapping is opened in memory for the send and nothing else); a block is a keyed hash
derived from that mapping, so nobody learns who was blocked.
"""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

from commands.context import Context
from commands.delivery import Delivery
from commands.errors import UserError
from commands.grammar import Args
from commands.markup import clip, escape_text
from commands.model import PLATFORMS, Address, CommandRequest, OutgoingMessage, Reply, UserRef
from commands.signals.codes import normalise_ref
from commands.signals.jobs import DIGEST, OPEN, digest_text, digest_trigger, ensure_purge_schedule
from commands.signals.sender import render_entry
from commands.signals.service import (
    Missing,
    block_hash_for,
    keys,
    notify_sender,
    repo,
    sender_of,
    settings,
    status_name,
    today,
)
from commands.signals.text import SIGNALS
from storage.signals import STATUSES, CaseView

STATUS_WORDS: dict[str, str] = {
    "nieuw": "new", "new": "new",
    "in-behandeling": "in_progress", "in_behandeling": "in_progress", "behandeling": "in_progress",
    "bezig": "in_progress", "in-progress": "in_progress", "in_progress": "in_progress",
    "progress": "in_progress",
    "beantwoord": "answered", "answered": "answered",
    "gesloten": "closed", "closed": "closed", "dicht": "closed",
}
ALL_WORDS = frozenset({"alle", "all", "alles"})
ME = frozenset({"mij", "me", "ik", "mezelf", "myself"})
NOBODY = frozenset({"niemand", "nobody", "none", "geen"})
_QUOTE = re.compile(r"--(?:citaat|quote)(?:=|\s+)(\"([^\"]*)\"|'([^']*)'|“([^”]*)”|(\S+))")


def _split(text: str, count: int) -> list[str]:
    """``count`` words and the rest as it was typed (free text keeps quotes and apostrophes)."""
    parts = text.strip().split(maxsplit=count)
    return parts + [""] * (count + 1 - len(parts))


async def find_case(ctx: Context, raw: str) -> CaseView:
    ref = normalise_ref(raw) if raw else None
    if ref is None:
        raise UserError(ctx.text(SIGNALS, "ref.bad", value=escape_text(raw[:30])))
    case = await repo(ctx).get(ref)
    if case is None:
        raise UserError(ctx.text(SIGNALS, "ref.unknown", ref=ref))
    return case


async def _triage(ctx: Context) -> UserRef:
    me = await ctx.require("triage")
    await ensure_purge_schedule(ctx)
    return me


def _status(ctx: Context, value: str) -> str:
    found = STATUS_WORDS.get(value.lower().replace(" ", "-"))
    if found is None:
        raise UserError(ctx.text(SIGNALS, "status.bad", value=escape_text(value[:30])))
    return found


async def inbox(request: CommandRequest, ctx: Context, text: str) -> Reply:
    """``signal inbox [all|<status>] [<topic>]``: free text, as a topic label may hold an
    apostrophe (``collega's``)."""
    await _triage(ctx)
    conf = settings(ctx)
    statuses: tuple[str, ...] = OPEN
    category: str | None = None
    words = text.split()
    i = 0
    while i < len(words):
        word, pair = words[i].lower(), "-".join(words[i:i + 2]).lower()
        if word in ALL_WORDS:
            statuses, i = STATUSES, i + 1
        elif i + 1 < len(words) and pair in STATUS_WORDS:
            statuses, i = (STATUS_WORDS[pair],), i + 2
        elif word in STATUS_WORDS:
            statuses, i = (STATUS_WORDS[word],), i + 1
        else:
            category = _category(ctx, " ".join(words[i:]), conf.categories)
            break
    cases, total = await repo(ctx).inbox(statuses=statuses, category=category, limit=30)
    label = (ctx.text(SIGNALS, "inbox.open") if statuses == OPEN
             else ", ".join(status_name(ctx, s) for s in statuses))
    if category:
        label += f", {escape_text(conf.label(category, ctx.locale))}"
    if not cases:
        return Reply.text(ctx.text(SIGNALS, "inbox.empty", filter=label))
    lines = [ctx.text(SIGNALS, "inbox.title", filter=label, shown=len(cases), total=total)]
    lines += [_line(ctx, case) for case in cases]
    lines += ["", ctx.text(SIGNALS, "inbox.more")]
    return Reply.text("\n".join(lines))


def _category(ctx: Context, value: str, names: tuple[str, ...]) -> str:
    conf = settings(ctx)
    for name in names:
        if value.lower() in (name.lower(), conf.label(name, ctx.locale).lower()):
            return name
    if names:
        raise UserError(ctx.text(SIGNALS, "bad.category_name", choices=", ".join(
            conf.label(name, ctx.locale) for name in names)))
    return value


def _label(ctx: Context, category: str) -> str:
    return settings(ctx).label(category, ctx.locale) if category else "-"


def _line(ctx: Context, case: CaseView) -> str:
    assignee = ctx.text(SIGNALS, "inbox.assignee", who=f"`{case.assignee}`") if case.assignee else ""
    flag = ctx.text(SIGNALS, "inbox.replied") if case.sender_replied else ""
    return ctx.text(SIGNALS, "inbox.line", ref=case.ref, day=case.received.isoformat(),
                    status=status_name(ctx, case.status), category=escape_text(_label(ctx, case.category)),
                    team=escape_text(case.team or "-"), assignee=assignee, flag=flag,
                    preview=escape_text(clip(" ".join(case.text.split()), 100)))


async def dossier(request: CommandRequest, ctx: Context, args: Args) -> Reply:
    await _triage(ctx)
    case = await find_case(ctx, args.words[0])
    none = ctx.text(SIGNALS, "nobody")
    head = ctx.text(SIGNALS, "dossier.head", ref=case.ref, day=case.received.isoformat(),
                    status=status_name(ctx, case.status), category=escape_text(_label(ctx, case.category)),
                    team=escape_text(case.team or "-"),
                    assignee=f"`{case.assignee}`" if case.assignee else none,
                    relay=ctx.text(SIGNALS, "yes" if case.has_relay else "no"))
    lines = [head, "", escape_text(case.text)]
    for entry in await repo(ctx).entries(case.ref, notes=True):
        lines += ["", render_entry(ctx, entry, triage=True)]
    return Reply.text("\n".join(lines))


async def _ref_and_text(ctx: Context, typed: str) -> tuple[CaseView, str]:
    raw_ref, text = _split(typed, 1)
    if not raw_ref:
        raise Missing("case")
    if not text.strip():
        raise Missing("text")
    case = await find_case(ctx, raw_ref)
    conf = settings(ctx)
    if len(text.strip()) > conf.max_length:
        raise UserError(ctx.text(SIGNALS, "text.too_long", length=len(text.strip()),
                                 max=conf.max_length))
    return case, text.strip()


async def answer(request: CommandRequest, ctx: Context, typed: str) -> Reply:
    me = await _triage(ctx)
    case, text = await _ref_and_text(ctx, typed)
    if case.status == "closed":
        raise UserError(ctx.text(SIGNALS, "case.closed", ref=case.ref))
    await repo(ctx).add_entry(case.ref, "reply", text, author=me.key, day=today(ctx),
                              status="answered", sender_replied=False)
    delivered = await notify_sender(ctx, case.ref, lambda c, code: OutgoingMessage(
        c.text(SIGNALS, "relay.reply", text=escape_text(text), code=code)))
    key = {"sent": "answer.done", "no_relay": "answer.no_relay", "failed": "answer.undelivered"}
    return Reply.text(ctx.text(SIGNALS, key[delivered], ref=case.ref))


async def note(request: CommandRequest, ctx: Context, typed: str) -> Reply:
    me = await _triage(ctx)
    case, text = await _ref_and_text(ctx, typed)
    if not await repo(ctx).add_entry(case.ref, "note", text, author=me.key, day=today(ctx)):
        raise UserError(ctx.text(SIGNALS, "case.closed", ref=case.ref))
    return Reply.text(ctx.text(SIGNALS, "note.done", ref=case.ref))


async def status(request: CommandRequest, ctx: Context, args: Args) -> Reply:
    await _triage(ctx)
    case = await find_case(ctx, args.words[0])
    return await set_status(ctx, case, _status(ctx, " ".join(args.words[1:])))


async def set_status(ctx: Context, case: CaseView, new: str) -> Reply:
    text = ctx.text(SIGNALS, "status.done", ref=case.ref, status=status_name(ctx, new))
    if new == "closed" and case.status != "closed":
        # Tell the sender before the way back is erased (in the same step as closing).
        await notify_sender(ctx, case.ref, lambda c, code: OutgoingMessage(
            c.text(SIGNALS, "relay.closed", code=code)))
        if case.has_relay:
            text += " " + ctx.text(SIGNALS, "status.closed_relay")
    await repo(ctx).set_status(case.ref, new, day=today(ctx))
    return Reply.text(text)


async def assign(request: CommandRequest, ctx: Context, args: Args) -> Reply:
    me = await _triage(ctx)
    case = await find_case(ctx, args.words[0])
    who = " ".join(args.words[1:])
    if who.lower() in NOBODY:
        await repo(ctx).assign(case.ref, None)
        return Reply.text(ctx.text(SIGNALS, "assign.cleared", ref=case.ref))
    if who.lower() in ME:
        person = me
    else:
        platform, sep, ident = who.partition(":")
        if not sep or platform not in PLATFORMS or not ident or len(who) > 300:
            raise UserError(ctx.text(SIGNALS, "assign.bad_who", value=escape_text(who[:60])))
        person = UserRef(platform, ident)
    if not await ctx.roles.has(person, "triage"):
        raise UserError(ctx.text(SIGNALS, "assign.not_triage", who=f"`{escape_text(person.key)}`"))
    await repo(ctx).assign(case.ref, person.key)
    return Reply.text(ctx.text(SIGNALS, "assign.done", ref=case.ref, who=f"`{person.key}`"))


async def block(request: CommandRequest, ctx: Context, args: Args) -> Reply:
    await _triage(ctx)
    conf = settings(ctx)
    case = await find_case(ctx, args.words[0])
    days = args.words[1].rstrip("dD")
    if not days.isdecimal() or not 1 <= int(days) <= conf.max_block_days:
        raise UserError(ctx.text(SIGNALS, "block.bad_days", value=escape_text(args.words[1][:20]),
                                 max=conf.max_block_days))
    found = await sender_of(ctx, case.ref)
    if found is None:
        raise UserError(ctx.text(SIGNALS, "block.no_relay", ref=case.ref))
    until = today(ctx) + timedelta(days=int(days) - 1)
    await repo(ctx).block(block_hash_for(await keys(ctx), found[0]), until)
    return Reply.text(ctx.text(SIGNALS, "block.done", ref=case.ref, until=until.isoformat()))


def _address(ctx: Context, value: str) -> Address:
    value = value.strip().strip("<>")
    if "://" in value:
        try:
            return Address.parse(value)
        except ValueError:
            pass
    elif ctx.address is not None and value and len(value) <= 200 and " " not in value:
        return Address(ctx.address.platform, ctx.address.workspace, value)
    raise UserError(ctx.text(SIGNALS, "publish.bad_channel", value=escape_text(value[:60])))


def _normal(text: str) -> str:
    return " ".join(text.split()).casefold()


async def publish(request: CommandRequest, ctx: Context, args: str) -> Reply:
    """"You said, we did": post a follow-up quoting only what triage chose, notify the sender.

    Free text: the quote is found by its own pattern, so quotes and apostrophes in what was
    done stay as typed."""
    me = await _triage(ctx)
    quote = ""
    match = _QUOTE.search(args)
    if match:
        quote = next(g for g in match.groups()[1:] if g is not None).strip()
        args = (args[:match.start()] + " " + args[match.end():]).strip()
    raw_ref, raw_channel, text = _split(args, 2)[:3]
    for part, value in (("case", raw_ref), ("channel", raw_channel), ("text", text.strip())):
        if not value:
            raise Missing(part)
    case = await find_case(ctx, raw_ref)
    address = _address(ctx, raw_channel)
    if quote and _normal(quote) not in _normal(case.text):
        raise UserError(ctx.text(SIGNALS, "publish.quote_not_found"))
    conf = settings(ctx)
    if len(text) > conf.max_length:
        raise UserError(ctx.text(SIGNALS, "text.too_long", length=len(text), max=conf.max_length))
    locale = await ctx.locale_for(address=address)
    there = ctx.with_locale(locale)
    label = conf.label(case.category, locale)
    topic = there.text(SIGNALS, "publish.category", category=escape_text(label)) \
        if case.category else ""
    body = [f"**{there.text(SIGNALS, 'publish.title')}**{topic}"]
    if quote:
        body.append("> " + escape_text(" ".join(quote.split())))
    body.append(escape_text(text.strip()))
    post = "\n\n".join(body)
    await ctx.delivery.enqueue([Delivery(OutgoingMessage(post), address=address)],
                               batch=f"signals.followup.{uuid.uuid4().hex}", owner="signals")
    plain = "\n\n".join(([f"> {' '.join(quote.split())}"] if quote else []) + [text.strip()])
    await repo(ctx).add_entry(case.ref, "followup", plain, author=me.key, day=today(ctx))
    delivered = await notify_sender(ctx, case.ref, lambda c, code: OutgoingMessage(
        c.text(SIGNALS, "relay.followup", code=code, channel=escape_text(raw_channel),
               text=post)))
    notified = ctx.text(SIGNALS, "publish.notified" if delivered == "sent" else "publish.not_notified")
    return Reply.text(ctx.text(SIGNALS, "publish.done", channel=escape_text(raw_channel),
                               notified=notified))


async def digest(request: CommandRequest, ctx: Context, args: Args) -> Reply:
    me = await _triage(ctx)
    action = args.words[0] if args.words else "now"  # the tree's canonical choice
    channel = args.words[1] if len(args.words) > 1 else ""
    if action == "now":
        return Reply.text(await digest_text(ctx))
    if action == "off":
        removed = 0
        for info in await ctx.scheduler.list(kind_prefix=DIGEST, owner="signals"):
            removed += int(await ctx.scheduler.cancel(info.id))
        return Reply.text(ctx.text(SIGNALS, "digest.off", count=removed))
    if channel:
        address = _address(ctx, channel)
        payload: dict[str, object] = {"address": str(address)}
        target = escape_text(channel)
    else:
        payload = {"user": {"platform": me.platform, "id": me.id, "workspace": me.workspace}}
        target = ctx.text(SIGNALS, "digest.you")
    for info in await ctx.scheduler.list(kind_prefix=DIGEST, owner="signals"):
        if dict(info.payload) == payload:  # the same target again: replace, never double
            await ctx.scheduler.cancel(info.id)
    await ctx.scheduler.add(DIGEST, digest_trigger(ctx), payload, owner="signals")
    conf = settings(ctx)
    return Reply.text(ctx.text(SIGNALS, "digest.on", target=target, time=conf.digest_time,
                               weekday=ctx.text(SIGNALS, f"weekday.{conf.digest_weekday}")))

"""``/hartslag announce <action> ...`` (alias ``aankondiging``): the text grammar.

    announce new --title "..." --body "..." --to "slack:C0123 local:#algemeen"
                 [--audience naam] [--template naam key=value ...] [--at "morgen 9:00"]
                 [--ack ["vrijdag 17:00"]] [--embargo "2026-11-24 10:00"] [--allow-mentions]
    announce form | list | show <id> | edit <id> [options] | pause|resume|cancel <id>
    announce approve <id> | reject <id> [reason] | stats <id> | readers <id> | progress <id>
    announce audience add|list|remove ... | announce template add|list|show|delete ...
"""

from __future__ import annotations

from collections.abc import Mapping

from commands import timespec
from commands.announcements import library
from commands.announcements.compose import Draft, describe_when, fail, local_time, plan
from commands.announcements.form import compose_form, form_fallback
from commands.announcements.jobs import progress_line
from commands.announcements.lifecycle import (
    cancel,
    create,
    decide,
    replace_plan,
    repo,
    set_paused,
    state_name,
)
from commands.announcements.messages import TEXT
from commands.announcements.render import framed, plan_of, preview, quoted_title
from commands.announcements.stats import readers, stats
from commands.context import Context
from commands.errors import UserError
from commands.grammar import Args, ArgsError, parse_args
from commands.messages import CORE
from commands.model import CommandRequest, Reply
from storage.announcements import Announcement

FLAGS = frozenset({"allow-mentions", "mentions", "vermeldingen", "four-eyes", "vier-ogen",
                   "approval", "goedkeuring"})
OPTIONS: Mapping[str, str] = {
    "title": "title", "titel": "title",
    "body": "body", "tekst": "body", "text": "body", "bericht": "body",
    "to": "targets", "naar": "targets", "targets": "targets", "kanalen": "targets",
    "audience": "audiences", "audiences": "audiences", "doelgroep": "audiences",
    "doelgroepen": "audiences",
    "template": "template", "sjabloon": "template",
    "at": "when", "when": "when", "om": "when", "op": "when", "wanneer": "when",
    "every": "when", "elke": "when",
    "ack": "ack_due", "gelezen": "ack_due", "due": "ack_due", "uiterlijk": "ack_due",
    "embargo": "embargo",
}
# The actions on one announcement (they take its number); the rest of the words are refused
# as unknown before a number is asked for.
ONE_ACTIONS = frozenset({
    "show", "toon", "edit", "wijzig", "cancel", "annuleer", "stop", "pause", "pauzeer",
    "resume", "hervat", "approve", "goedkeuren", "keur", "reject", "afwijzen", "wijs",
    "stats", "bereik", "statistiek", "readers", "lezers", "wie", "progress", "voortgang"})
LISTED_STATES = ("draft", "pending", "rejected", "scheduled", "paused", "sent")
ACK_FLAGS = ("ack", "gelezen")
MENTION_FLAGS = ("allow-mentions", "mentions", "vermeldingen")


def draft_of(ctx: Context, args: Args) -> Draft:
    """Options and ``key=value`` words to a Draft; unknown options and stray words fail."""
    values: dict[str, str] = {}
    for name, value in args.options.items():
        field = OPTIONS.get(name)
        if field is None:
            raise fail(ctx, "unknown_option", option=name[:30])
        values[field] = value
    for flag in args.flags:
        if flag not in ACK_FLAGS and flag not in MENTION_FLAGS and OPTIONS.get(flag):
            raise fail(ctx, "option_needs_value", option=flag[:30])
        if flag not in ACK_FLAGS and flag not in MENTION_FLAGS:
            raise fail(ctx, "unknown_option", option=flag[:30])
    variables: dict[str, str] = {}
    for word in args.words:
        key, eq, value = word.partition("=")
        if not eq:
            raise fail(ctx, "stray_word", word=word[:40])
        variables[key.strip()] = value
    ack = True if any(f in args.flags for f in ACK_FLAGS) or "ack_due" in values else None
    mentions = True if any(f in args.flags for f in MENTION_FLAGS) else None
    return Draft(title=values.get("title"), body=values.get("body"),
                 targets=values.get("targets"), audiences=values.get("audiences"),
                 template=values.get("template"), variables=variables, when=values.get("when"),
                 ack=ack, ack_due=values.get("ack_due"), embargo=values.get("embargo"),
                 allow_mentions=mentions)


async def find(ctx: Context, args: Args) -> Announcement:
    word = args.words.pop(0) if args.words else ""
    if not word.lstrip("#").isdecimal():
        raise fail(ctx, "need_id")
    ann = await repo(ctx).get(int(word.lstrip("#")))
    if ann is None:
        raise fail(ctx, "unknown_id", id=word.lstrip("#")[:12])
    return ann


async def handle(request: CommandRequest, ctx: Context) -> Reply | None:
    try:
        args = parse_args(request.args, flags=FLAGS)
    except ArgsError as exc:
        raise UserError(ctx.text(CORE, "bad_args", reason=str(exc))) from None
    action = args.pop_word()
    if action in (None, "help", "hulp"):
        return Reply.text(ctx.text(TEXT, "usage"))
    if action in ("new", "nieuw", "send", "stuur"):
        if not args.options and not args.flags and not args.words:
            return Reply(form=compose_form(ctx), message=form_fallback(ctx))
        ann = await create(ctx, await plan(ctx, draft_of(ctx, args)), request.user)
        return Reply(preview(ctx, ann))
    if action in ("form", "formulier"):
        return Reply(form=compose_form(ctx), message=form_fallback(ctx))
    if action in ("list", "lijst"):
        return await _list(ctx)
    if action in ("audience", "doelgroep", "audiences", "doelgroepen"):
        return await library.audience(ctx, args, request.user)
    if action in ("template", "sjabloon", "templates", "sjablonen"):
        return await library.template(ctx, args, request.user)
    if action not in ONE_ACTIONS:  # before the number: "aankondiging foo" is not about ids
        raise fail(ctx, "unknown_action", action=action[:30])
    ann = await find(ctx, args)
    return await _on_one(ctx, action, ann, args, request)


async def _on_one(ctx: Context, action: str, ann: Announcement, args: Args,
                  request: CommandRequest) -> Reply:
    if action in ("show", "toon"):
        if ann.state == "draft":  # the way to confirm it later: the preview and its buttons
            return Reply(preview(ctx, ann))
        head = ctx.text(TEXT, "show_head", id=ann.id, state=state_name(ctx, ann.state))
        return Reply.text(framed(ctx, ann, head) + "\n\n" + next_step(ctx, ann))
    if action in ("edit", "wijzig"):
        draft = draft_of(ctx, args)
        new_plan = await plan(ctx, draft, base=plan_of(ann))
        return Reply(preview(ctx, await replace_plan(ctx, ann, new_plan)))
    if action in ("cancel", "annuleer", "stop"):
        return Reply.text(await cancel(ctx, ann))
    if action in ("pause", "pauzeer"):
        return Reply.text(await set_paused(ctx, ann, True))
    if action in ("resume", "hervat"):
        return Reply.text(await set_paused(ctx, ann, False))
    if action in ("approve", "goedkeuren", "keur"):
        return Reply.text(await decide(ctx, ann, request.user, approve=True))
    if action in ("reject", "afwijzen", "wijs"):
        note = " ".join(args.words)
        return Reply.text(await decide(ctx, ann, request.user, approve=False, note=note))
    if action in ("stats", "bereik", "statistiek"):
        return await stats(ctx, ann)
    if action in ("readers", "lezers", "wie"):
        return await readers(ctx, ann)
    if action in ("progress", "voortgang"):
        return await _progress(ctx, ann)
    raise fail(ctx, "unknown_action", action=action[:30])


async def _progress(ctx: Context, ann: Announcement) -> Reply:
    assert ann.id is not None
    runs = await repo(ctx).runs(ann.id)
    if not runs:
        return Reply.text(ctx.text(TEXT, "progress_none", id=ann.id))
    last = runs[-1]
    line = progress_line(ctx, await ctx.delivery.report(last.batch), last.started_at)
    return Reply.text(f"#{ann.id}: {line}")


async def _list(ctx: Context) -> Reply:
    found = await repo(ctx).open(states=LISTED_STATES, limit=30)
    if not found:
        return Reply.text(ctx.text(TEXT, "list_none"))
    lines = [ctx.text(TEXT, "list_head")]
    for ann in found:
        trigger = timespec.from_json(ann.trigger) if ann.trigger else None
        next_run = "-"
        if ann.schedule_id is not None and ann.state in ("scheduled", "paused"):
            info = await ctx.scheduler.get(ann.schedule_id)
            if info is not None and info.next_run is not None:
                next_run = local_time(ctx, info.next_run)
        lines.append(ctx.text(TEXT, "list_item", id=ann.id, title=quoted_title(ann),
                              state=state_name(ctx, ann.state), when=describe_when(ctx, trigger),
                              next=next_run))
        lines.append(f"  {next_step(ctx, ann)}")
    return Reply.text("\n".join(lines))


def next_step(ctx: Context, ann: Announcement) -> str:
    """What its author can do now: every state names its way forward."""
    return ctx.text(TEXT, f"next_{ann.state}", id=ann.id)

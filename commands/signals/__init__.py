"""Anonymous signals with follow-up (issue 5): ``/hartslag signal`` and its subcommands.

Employees report a concern, idea or question without their name; the triage team answers
through a sealed relay, follows up and reports back ("you said, we did"). See
the README section on signals for what is and is not stored, and ``storage/signals.py``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from commands.context import Context
from commands.errors import UserError
from commands.model import CommandRequest, FormSubmission, InboundMessage, Interaction, Reply
from commands.router import Router
from commands.schedule import Trigger
from commands.signals import sender, triage
from commands.signals.codes import normalise_code, normalise_ref
from commands.signals.drafts import Drafts
from commands.signals.jobs import DIGEST, PURGE, PURGE_AT, digest_job, purge_job
from commands.signals.send import (
    FORM_ID,
    TOPIC,
    converse,
    start,
    start_reply,
    submitted,
    topic_pressed,
)
from commands.signals.service import check_text, settings, withheld
from commands.signals.text import SIGNALS

Handler = Callable[[CommandRequest, Context], Awaitable[Reply]]

TRIAGE: dict[str, Handler] = {
    "inbox": triage.inbox, "postvak": triage.inbox, "lijst": triage.inbox, "list": triage.inbox,
    "dossier": triage.dossier, "case": triage.dossier,
    "beantwoord": triage.answer, "answer": triage.answer,
    "notitie": triage.note, "note": triage.note,
    "status": triage.status,
    "wijs": triage.assign, "assign": triage.assign, "toewijzen": triage.assign,
    "blokkeer": triage.block, "block": triage.block,
    "publiceer": triage.publish, "publish": triage.publish,
    "overzicht": triage.digest, "digest": triage.digest,
}
START = frozenset({"", "nieuw", "new", "stuur", "send", "meld", "report"})
CONVERSATION = frozenset({"gesprek", "conversation", "chat"})
INFO = frozenset({"info", "uitleg", "privacy", "anoniem", "anonymous"})
SHOW = frozenset({"bekijk", "show", "lees", "read"})
REPLY = frozenset({"antwoord", "reply"})
CLOSE = frozenset({"sluit", "close"})
# Platforms whose commands nobody else sees (Slack slash commands). Elsewhere a command in a
# channel is a visible message with its sender, so a code must only be typed in a DM.
INVISIBLE_COMMANDS = frozenset({"slack"})


def register(router: Router) -> None:
    """The ``signal`` command, the form, the DM conversation and the two job kinds."""
    drafts = Drafts()  # per app, in memory only

    async def command(request: CommandRequest, ctx: Context) -> Reply:
        with withheld():
            return await _command(request, ctx, drafts)

    async def form(submission: FormSubmission, ctx: Context) -> Reply:
        with withheld():
            return await submitted(submission, ctx)

    async def conversation(message: InboundMessage, ctx: Context) -> Reply | None:
        with withheld():
            return await converse(message, ctx, drafts)

    router.command("signal", command, aliases=("signaal", "signalen", "signals"),
                   help=(SIGNALS, "help.signal"))
    async def topic(interaction: Interaction, ctx: Context) -> Reply:
        with withheld():
            return await topic_pressed(interaction, ctx, drafts)

    router.form(FORM_ID, form)
    router.interaction(TOPIC, topic)
    router.conversation(conversation)
    router.job(DIGEST, digest_job)
    # Standing: retention must not depend on someone opening the triage inbox first.
    router.job(PURGE, purge_job, standing=Trigger("daily", time=PURGE_AT))


async def _command(request: CommandRequest, ctx: Context, drafts: Drafts) -> Reply:
    settings(ctx)
    words = request.args.split(maxsplit=2)
    action = words[0].lower() if words else ""
    argument = words[1] if len(words) > 1 else ""
    if action in START | CONVERSATION:
        return await start(request, ctx, drafts, conversation=action in CONVERSATION)
    if action in INFO:
        return sender.info(ctx)
    if action in TRIAGE:
        return await TRIAGE[action](request, ctx)
    if action in CLOSE and normalise_code(argument) is None and normalise_ref(argument):
        return await triage.set_status(ctx, await _triage_case(ctx, argument), "closed")
    if (action in SHOW | REPLY | CLOSE and not request.is_direct
            and request.address.platform not in INVISIBLE_COMMANDS):
        raise UserError(ctx.text(SIGNALS, "dm_only"))
    if not argument and action in SHOW | REPLY | CLOSE:
        raise UserError(ctx.text(SIGNALS, "reply.usage" if action in REPLY else "usage"))
    if action in SHOW:
        return await sender.show(ctx, argument)
    if action in CLOSE:
        return await sender.close(ctx, argument)
    if action in REPLY:
        return await _reply(request, ctx, drafts, argument, words[2] if len(words) > 2 else "")
    raise UserError(ctx.text(SIGNALS, "usage"))


async def _triage_case(ctx: Context, raw: str) -> triage.CaseView:
    await ctx.require("triage")
    return await triage.find_case(ctx, raw)


async def _reply(request: CommandRequest, ctx: Context, drafts: Drafts, code: str,
                 text: str) -> Reply:
    if not text.strip():
        case, canonical = await sender.find_by_code(ctx, code)
        if not request.is_direct:
            raise UserError(ctx.text(SIGNALS, "reply.usage"))
        if case.status == "closed":
            raise UserError(ctx.text(SIGNALS, "case.closed_sender"))
        return start_reply(request.user, ctx, drafts, ref=case.ref, code=canonical)
    cleaned = check_text(ctx, text, settings(ctx))
    await sender.add_sender_reply(ctx, request.user, code, cleaned)
    return Reply.text(ctx.text(SIGNALS, "reply.sent"))

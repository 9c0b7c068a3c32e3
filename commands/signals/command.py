"""The ``signal`` command as a declared tree (``commands.tree``): what a sender may do (send,
read, reply, close with the secret code) and what the triage team may do (``roles=("triage",)``),
so ``help`` shows each person exactly their part.

Every handler runs inside ``withheld()``: an unexpected error leaves the feature without its
values, so a traceback cannot carry a signal's text or code to the log. Nothing here stores or
logs anything the handlers did not already.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from commands.context import Context
from commands.errors import UserError
from commands.grammar import Args
from commands.messages import CORE
from commands.model import CommandRequest, Reply
from commands.signals import sender, triage
from commands.signals.codes import normalise_code, normalise_ref
from commands.signals.drafts import Drafts
from commands.signals.send import start, start_reply
from commands.signals.service import Missing, check_text, settings, withheld
from commands.signals.text import SIGNALS
from commands.tree import Command, Param, Sub, T, Words

WORDS = Words("signal", "signaal", ("signalen", "signals"))
SUMMARY = T("meld anoniem iets, met vervolg; `signaal info` vertelt wat anoniem hier betekent",
            "report something anonymously, with follow-up; `signal info` explains what "
            "anonymous means here")
TRIAGE = ("triage",)
# Example codes and case references have the real shape; on a fresh demo they answer "no
# signal with that code", which is what a sender with a mistyped code should see.
CODE, REF = "K7QX2-MPD4R", "S-K7QX2M"

_CODE = Param(Words("code", "code"), required=True)
_CASE = Param(Words("case", "dossier"), required=True)
_TEXT = Param(Words("text", "tekst"), required=True, many=True)

Handler = Callable[[CommandRequest, Context, Any], Awaitable[Reply]]


def _sub(words: Words, summary: T, handler: Handler, **declared: Any) -> Sub:
    """A subcommand whose handler runs withheld and whose missing free-text parts get the
    tree's message with this subcommand's usage and example."""
    made: list[Sub] = []

    async def run(request: CommandRequest, ctx: Context, value: Any) -> Reply:
        with withheld():
            settings(ctx)  # "signals are off" before anything else the feature says
            try:
                return await handler(request, ctx, value)
            except Missing as missing:
                raise UserError(_missing(ctx, made[0], missing.part)) from None

    made.append(Sub(words, summary, run, **declared))
    return made[0]


def _missing(ctx: Context, sub: Sub, part: str) -> str:
    param = next(p for p in sub.params if p.words.en == part)
    usage = f"`{sub.usage(WORDS, ctx.locale)}`"
    text = ctx.text(CORE, "tree.missing", what=param.usage(ctx.locale).strip("[]"), usage=usage)
    if sub.example is not None:
        text += "\n" + ctx.text(CORE, "tree.example", example=sub.example.get(ctx.locale))
    return text


def _in_private(request: CommandRequest, ctx: Context) -> None:
    """A code is the sender's key: typed where others see it, it identifies them. A DM is
    private; so is a channel where the platform shows a command to its sender only."""
    if request.is_direct or ctx.port.capabilities(request.address.platform).private_commands:
        return
    raise UserError(ctx.text(SIGNALS, "dm_only"))


# -- the sender's side -------------------------------------------------------------------
def _senders(drafts: Drafts) -> tuple[Sub, ...]:
    async def new(request: CommandRequest, ctx: Context, args: Args) -> Reply:
        return await start(request, ctx, drafts)

    async def conversation(request: CommandRequest, ctx: Context, args: Args) -> Reply:
        return await start(request, ctx, drafts, conversation=True)

    async def info(request: CommandRequest, ctx: Context, args: Args) -> Reply:
        return sender.info(ctx)

    async def show(request: CommandRequest, ctx: Context, args: Args) -> Reply:
        _in_private(request, ctx)
        return await sender.show(ctx, args.words[0])

    async def reply(request: CommandRequest, ctx: Context, typed: str) -> Reply:
        _in_private(request, ctx)
        code, _, text = typed.strip().partition(" ")
        if not code:
            raise Missing("code")
        if text.strip():
            cleaned = check_text(ctx, text, settings(ctx))
            await sender.add_sender_reply(ctx, request.user, code, cleaned)
            return Reply.text(ctx.text(SIGNALS, "reply.sent"))
        case, canonical = await sender.find_by_code(ctx, code)
        if not request.is_direct:  # step by step only in a DM, where the draft lives
            raise Missing("text")
        if case.status == "closed":
            raise UserError(ctx.text(SIGNALS, "case.closed_sender"))
        return start_reply(request.user, ctx, drafts, ref=case.ref, code=canonical)

    async def close(request: CommandRequest, ctx: Context, args: Args) -> Reply:
        value = args.words[0]
        if normalise_code(value) is None and normalise_ref(value):
            # A triage member closing a case by its reference, as with `status <case> closed`.
            await ctx.require("triage")
            return await triage.set_status(ctx, await triage.find_case(ctx, value), "closed")
        _in_private(request, ctx)
        return await sender.close(ctx, value)

    return (
        _sub(Words("new", "nieuw", ("stuur", "send", "meld", "report")),
             T("stuur een anoniem signaal", "send an anonymous signal"), new,
             example=T("signaal nieuw", "signal new")),
        _sub(Words("conversation", "gesprek", ("chat",)),
             T("schrijf je signaal stap voor stap in een privébericht",
               "write your signal step by step in a direct message"), conversation,
             example=T("signaal gesprek", "signal conversation")),
        _sub(Words("info", "info", ("uitleg", "privacy", "anoniem", "anonymous")),
             T("wat anoniem hier betekent en wat er bewaard wordt",
               "what anonymous means here and what is stored"), info,
             example=T("signaal info", "signal info")),
        _sub(Words("show", "bekijk", ("lees", "read")),
             T("lees je signaal en de antwoorden (met je geheime code, in een privébericht)",
               "read your signal and the answers (with your secret code, in a direct message)"),
             show, params=(_CODE,),
             example=T(f"signaal bekijk {CODE}", f"signal show {CODE}")),
        _sub(Words("reply", "antwoord"),
             T("reageer anoniem op een antwoord; zonder tekst vraag ik erom",
               "reply anonymously to an answer; without text I ask for it"),
             reply, raw=True, params=(_CODE, Param(Words("text", "tekst"), many=True)),
             example=T(f"signaal antwoord {CODE} Dank, dat helpt.",
                       f"signal reply {CODE} Thanks, that helps.")),
        _sub(Words("close", "sluit"),
             T("sluit je signaal (met je code); het signalenteam sluit met het dossiernummer",
               "close your signal (with your code); the signals team closes by case number"),
             close, params=(Param(Words("code", "code"), required=True),),
             example=T(f"signaal sluit {CODE}", f"signal close {CODE}")),
    )


# -- the triage team's side ----------------------------------------------------------------
_TRIAGE_SUBS = (
    _sub(Words("inbox", "inbox", ("postvak", "lijst", "list")),
         T("open dossiers; met `alle`, een status of een onderwerp",
           "open cases; with `all`, a status or a topic"),
         triage.inbox, raw=True, roles=TRIAGE,
         params=(Param(Words("filter", "filter"), many=True),),
         example=T("signaal inbox", "signal inbox")),
    _sub(Words("case", "dossier"), T("een dossier met alles wat erbij hoort",
                                     "a case with everything in it"),
         triage.dossier, params=(_CASE,), roles=TRIAGE,
         example=T(f"signaal dossier {REF}", f"signal case {REF}")),
    _sub(Words("answer", "beantwoord"),
         T("antwoord de melder via het doorgeefluik", "answer the sender through the relay"),
         triage.answer, raw=True, params=(_CASE, _TEXT), roles=TRIAGE,
         example=T(f"signaal beantwoord {REF} We pakken dit deze week op.",
                   f"signal answer {REF} We will take this up this week.")),
    _sub(Words("note", "notitie"), T("een interne notitie, alleen voor het signalenteam",
                                     "an internal note, for the signals team only"),
         triage.note, raw=True, params=(_CASE, _TEXT), roles=TRIAGE,
         example=T(f"signaal notitie {REF} Besproken met HR.", f"signal note {REF} Discussed "
                   "with HR.")),
    _sub(Words("status", "status"),
         T("zet de status: nieuw, in-behandeling, beantwoord of gesloten",
           "set the status: new, in-progress, answered or closed"),
         triage.status, roles=TRIAGE,
         params=(_CASE, Param(Words("status", "status"), required=True, many=True)),
         example=T(f"signaal status {REF} in-behandeling", f"signal status {REF} in-progress")),
    _sub(Words("assign", "wijs", ("toewijzen",)),
         T("wijs een dossier toe: mij, niemand of platform:id",
           "assign a case: me, nobody or platform:id"),
         triage.assign, roles=TRIAGE,
         params=(_CASE, Param(Words("person", "persoon"), required=True)),
         example=T(f"signaal wijs {REF} mij", f"signal assign {REF} me")),
    _sub(Words("block", "blokkeer"),
         T("de melder een aantal dagen geen nieuwe signalen laten sturen (zonder te weten wie)",
           "stop the sender from sending new signals for some days (without knowing who)"),
         triage.block, roles=TRIAGE,
         params=(_CASE, Param(Words("days", "dagen"), required=True)),
         example=T(f"signaal blokkeer {REF} 30", f"signal block {REF} 30")),
    _sub(Words("publish", "publiceer"),
         T("\"jullie zeiden, wij deden\" in een kanaal; een citaat moet letterlijk uit het "
           "signaal komen", "\"you said, we did\" in a channel; a quote must be literally from "
           "the signal"),
         triage.publish, raw=True, roles=TRIAGE,
         params=(_CASE, Param(Words("channel", "kanaal"), required=True),
                 Param(Words("quote", "citaat"), option=True), _TEXT),
         example=T(f"signaal publiceer {REF} #algemeen De roosters worden eerder bekend.",
                   f"signal publish {REF} #algemeen Rosters are now published earlier.")),
    _sub(Words("digest", "overzicht"),
         T("overzicht van open dossiers: nu, of wekelijks `aan [#kanaal]`, of `uit`",
           "overview of open cases: now, or weekly `on [#channel]`, or `off`"),
         triage.digest, roles=TRIAGE,
         params=(Param(Words("when", "wanneer"), choices=(
             Words("now", "nu"), Words("on", "aan", ("start",)), Words("off", "uit", ("stop",)))),
             Param(Words("channel", "kanaal"))),
         example=T("signaal overzicht", "signal digest")),
)


def signal_command(drafts: Drafts) -> Command:
    """The tree with this app's drafts (kept in memory, per app, never stored)."""
    return Command(WORDS, SUMMARY, subs=(*_senders(drafts), *_TRIAGE_SUBS), default="new")

"""``/hartslag announce <subcommand> ...`` (``aankondiging``): the declared command tree.

    announce new --title "..." --body "..." --to "slack:C0123 local:#algemeen"
                 [--audience naam] [--template naam key=value ...] [--at "morgen 9:00"]
                 [--ack ["vrijdag 17:00"]] [--embargo "2026-11-24 10:00"] [--allow-mentions]
    announce list | show <id> | edit <id> [options] | pause|resume|cancel <id>
    announce approve <id> | reject <id> [reason] | stats <id> | readers <id> | progress <id>
    announce audience add|list|remove ... | announce template add|list|show|delete ...

Words, roles, usage and examples are declared once in ``ANNOUNCE``; the tree parses the
arguments, checks the comms role and answers ``help`` and unknown subcommands.
"""

from __future__ import annotations

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
from commands.grammar import Args
from commands.model import CommandRequest, Reply
from commands.tree import Command, Param, Sub, SubHandler, T, Words
from storage.announcements import Announcement

LISTED_STATES = ("draft", "pending", "rejected", "scheduled", "paused", "sent")
COMMS = ("comms",)


WHEN = Words("when", "wanneer")
ID = Param(Words("id", "nummer"), required=True)
ACK = Param(Words("ack", "gelezen"), option=True, optional_value=True, value=WHEN)
DUE = Param(Words("due", "uiterlijk"), option=True, value=WHEN)  # --gelezen's time, alone
BODY = Param(Words("body", "tekst", ("text", "bericht")), option=True)
COMPOSE = (
    Param(Words("title", "titel"), option=True),
    BODY,
    Param(Words("to", "naar", ("targets", "kanalen")), option=True,
          value=Words("platform:channel...", "platform:kanaal...")),
    Param(Words("audience", "doelgroep", ("audiences", "doelgroepen")), option=True,
          value=Words("name", "naam")),
    Param(Words("template", "sjabloon"), option=True, value=Words("name", "naam")),
    Param(Words("name=value", "naam=waarde"), many=True),
    Param(Words("at", "om", ("when", "op", "wanneer", "every", "elke")), option=True, value=WHEN),
    ACK,
    DUE,
    Param(Words("embargo", "embargo"), option=True, value=WHEN),
    Param(Words("allow-mentions", "mentions", ("vermeldingen",)), flag=True),
)


def _ack(args: Args) -> tuple[bool | None, str | None]:
    """The Read button: ``--gelezen`` alone (a flag) or with the time of the reminder."""
    if "ack" in args.flags or "ack" in args.options or "due" in args.options:
        return True, args.options.get("ack") or args.options.get("due")
    return None, None


def draft_of(ctx: Context, args: Args, words: list[str]) -> Draft:
    """Options and ``key=value`` words to a Draft; stray words fail."""
    ack, ack_due = _ack(args)
    variables: dict[str, str] = {}
    for word in words:
        key, eq, value = word.partition("=")
        if not eq:
            raise fail(ctx, "stray_word", word=word[:40])
        variables[key.strip()] = value
    values = args.options
    return Draft(title=values.get("title"), body=values.get("body"), targets=values.get("to"),
                 audiences=values.get("audience"), template=values.get("template"),
                 variables=variables, when=values.get("at"), ack=ack, ack_due=ack_due,
                 embargo=values.get("embargo"),
                 allow_mentions=True if "allow-mentions" in args.flags else None)


async def find(ctx: Context, args: Args) -> Announcement:
    word = args.words[0].lstrip("#")
    if not word.isdecimal():
        raise fail(ctx, "need_id")
    ann = await repo(ctx).get(int(word))
    if ann is None:
        raise fail(ctx, "unknown_id", id=word[:12])
    return ann


# -- handlers ---------------------------------------------------------------------------
async def _new(request: CommandRequest, ctx: Context, args: Args) -> Reply:
    if not args.options and not args.flags and not args.words:
        return Reply(form=compose_form(ctx), message=form_fallback(ctx))
    ann = await create(ctx, await plan(ctx, draft_of(ctx, args, args.words)), request.user)
    return Reply(preview(ctx, ann))


async def _form(request: CommandRequest, ctx: Context, args: Args) -> Reply:
    return Reply(form=compose_form(ctx), message=form_fallback(ctx))


async def _show(request: CommandRequest, ctx: Context, args: Args) -> Reply:
    ann = await find(ctx, args)
    if ann.state == "draft":  # the way to confirm it later: the preview and its buttons
        return Reply(preview(ctx, ann))
    head = ctx.text(TEXT, "show_head", id=ann.id, state=state_name(ctx, ann.state))
    return Reply.text(framed(ctx, ann, head) + "\n\n" + next_step(ctx, ann))


async def _edit(request: CommandRequest, ctx: Context, args: Args) -> Reply:
    ann = await find(ctx, args)
    draft = draft_of(ctx, args, args.words[1:])
    new_plan = await plan(ctx, draft, base=plan_of(ann))
    return Reply(preview(ctx, await replace_plan(ctx, ann, new_plan)))


async def _cancel(request: CommandRequest, ctx: Context, args: Args) -> Reply:
    return Reply.text(await cancel(ctx, await find(ctx, args)))


async def _pause(request: CommandRequest, ctx: Context, args: Args) -> Reply:
    return Reply.text(await set_paused(ctx, await find(ctx, args), True))


async def _resume(request: CommandRequest, ctx: Context, args: Args) -> Reply:
    return Reply.text(await set_paused(ctx, await find(ctx, args), False))


async def _approve(request: CommandRequest, ctx: Context, args: Args) -> Reply:
    return Reply.text(await decide(ctx, await find(ctx, args), request.user, approve=True))


async def _reject(request: CommandRequest, ctx: Context, args: Args) -> Reply:
    ann = await find(ctx, args)
    note = " ".join(args.words[1:])
    return Reply.text(await decide(ctx, ann, request.user, approve=False, note=note))


async def _stats(request: CommandRequest, ctx: Context, args: Args) -> Reply:
    return await stats(ctx, await find(ctx, args))


async def _readers(request: CommandRequest, ctx: Context, args: Args) -> Reply:
    return await readers(ctx, await find(ctx, args))


async def _progress(request: CommandRequest, ctx: Context, args: Args) -> Reply:
    ann = await find(ctx, args)
    assert ann.id is not None
    runs = await repo(ctx).runs(ann.id)
    if not runs:
        return Reply.text(ctx.text(TEXT, "progress_none", id=ann.id))
    last = runs[-1]
    line = progress_line(ctx, await ctx.delivery.report(last.batch), last.started_at)
    return Reply.text(f"#{ann.id}: {line}")


async def _list(request: CommandRequest, ctx: Context, args: Args) -> Reply:
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


async def _audience(request: CommandRequest, ctx: Context, args: Args) -> Reply:
    return await library.audience(ctx, args, request.user)


async def _template(request: CommandRequest, ctx: Context, args: Args) -> Reply:
    return await library.template(ctx, args, request.user)


def next_step(ctx: Context, ann: Announcement) -> str:
    """What its author can do now: every state names its way forward."""
    return ctx.text(TEXT, f"next_{ann.state}", id=ann.id)


# -- the declaration --------------------------------------------------------------------
def _on_one(words: Words, summary: T, handler: SubHandler, nl: str, en: str,
            *more: Param, loose: bool = False) -> Sub:
    """A subcommand on one announcement, by its number; ``nl``/``en``: its example."""
    return Sub(words, summary, handler, params=(ID, *more), roles=COMMS, loose=loose,
               example=T(f"aankondiging {nl}", f"announce {en}"))


NEW = Sub(
    Words("new", "nieuw", ("send", "stuur")),
    T("opstellen; je krijgt eerst een voorbeeld met [Versturen] / [Annuleren], zonder opties "
      "een formulier. Kanalen: `platform:kanaal` (`local:#algemeen`), in een andere werkruimte "
      "`platform:werkruimte/kanaal`. `--om \"elke maandag 9:00\"` herhaalt, `--gelezen` geeft "
      "een knop Gelezen (met een datum: herinnering daarna), `--embargo` (persbericht: "
      "medewerkers krijgen het eerst), `--mentions` laat @channel/@here werken",
      "compose; you first get a preview with [Send] / [Cancel], without options a form. "
      "Channels: `platform:channel` (`local:#algemeen`), in another workspace "
      "`platform:workspace/channel`. `--at \"every monday 9:00\"` repeats, `--ack` adds a Read "
      "button (with a date: a reminder after it), `--embargo` (press release: employees get "
      "it first), `--allow-mentions` keeps @channel/@here working"),
    _new, params=COMPOSE, roles=COMMS,
    example=T('aankondiging nieuw --titel "Nieuw rooster" --tekst "Vanaf maandag werken we '
              'met het nieuwe rooster." --naar local:#algemeen',
              'announce new --title "New rota" --body "From Monday we work with the new '
              'rota." --to local:#algemeen'))
EDIT = _on_one(Words("edit", "wijzig"),
               T("pas een aankondiging aan (dezelfde opties als `nieuw`); je krijgt opnieuw "
                 "het voorbeeld", "change an announcement (the options of `new`); you get "
                 "the preview again"),
               _edit, 'wijzig 2 --om "morgen 9:00"', 'edit 2 --at "tomorrow 9:00"',
               *COMPOSE)
ANNOUNCE = Command(
    Words("announce", "aankondiging", ("announcement", "aankondig")),
    T("aankondigingen opstellen, inplannen en meten", "compose, schedule and measure "
      "announcements"),
    subs=(
        NEW,
        Sub(Words("list", "lijst"), T("open, ingeplande en verstuurde aankondigingen, elk met "
                                      "wat je nu kunt doen", "open, scheduled and sent "
                                      "announcements, each with what you can do now"),
            _list, roles=COMMS, example=T("aankondiging lijst", "announce list")),
        _on_one(Words("show", "toon"), T("toon een aankondiging (een concept met de knop "
                                         "Versturen)", "show an announcement (a draft with "
                                         "the Send button)"), _show, "toon 1", "show 1"),
        EDIT,
        _on_one(Words("pause", "pauzeer"), T("pauzeer een ingeplande aankondiging",
                                             "pause a scheduled announcement"),
                _pause, "pauzeer 2", "pause 2"),
        _on_one(Words("resume", "hervat"), T("hervat een gepauzeerde aankondiging",
                                             "resume a paused announcement"),
                _resume, "hervat 3", "resume 3"),
        _on_one(Words("cancel", "annuleer", ("stop",)),
                T("annuleer een aankondiging zolang hij niet verstuurd is",
                  "cancel an announcement until it is sent"), _cancel, "annuleer 2", "cancel 2"),
        _on_one(Words("approve", "goedkeuren", ("keur",)),
                T("keur de aankondiging van een collega goed (vier ogen)",
                  "approve a colleague's announcement (four eyes)"),
                _approve, "goedkeuren 4", "approve 4"),
        _on_one(Words("reject", "afwijzen", ("wijs",)),
                T("wijs de aankondiging van een collega af, met een reden",
                  "reject a colleague's announcement, with a reason"),
                _reject, "afwijzen 4 Graag eerst met HR afstemmen",
                "reject 4 Please check with HR first",
                Param(Words("reason", "reden"), many=True)),
        _on_one(Words("stats", "bereik", ("statistiek",)),
                T("bereik: bezorgd, mislukt, gelezen en reacties per kanaal",
                  "reach: delivered, failed, read and reactions per channel"),
                _stats, "bereik 1", "stats 1"),
        _on_one(Words("readers", "lezers", ("wie",)),
                T("wie wel en niet gelezen heeft", "who has and hasn't read it"),
                _readers, "lezers 1", "readers 1"),
        _on_one(Words("progress", "voortgang"),
                T("hoe ver het versturen is", "how far sending has got"),
                _progress, "voortgang 1", "progress 1"),
        Sub(Words("audience", "doelgroep", ("audiences", "doelgroepen")),
            T("opgeslagen groepen kanalen: `doelgroep lijst`, `doelgroep toevoegen <naam> "
              "<kanalen...> [--vier-ogen]` (met `--vier-ogen` keurt een tweede "
              "communicatie-collega elke aankondiging goed), `doelgroep verwijder <naam>`",
              "saved groups of channels: `audience list`, `audience add <name> <channels...> "
              "[--four-eyes]` (with `--four-eyes` a second communications colleague approves "
              "every announcement), `audience remove <name>`"),
            _audience, roles=COMMS,
            params=(Param(Words("action", "actie"), choices=(
                        Words("list", "lijst"), Words("add", "toevoegen", ("set", "nieuw", "zet")),
                        Words("remove", "verwijder", ("delete", "verwijderen")))),
                    Param(Words("name", "naam")),
                    Param(Words("channels", "kanalen"), many=True),
                    Param(Words("to", "naar"), option=True,
                          value=Words("platform:channel...", "platform:kanaal...")),
                    Param(Words("four-eyes", "vier-ogen", ("approval", "goedkeuring")),
                          flag=True)),
            example=T("aankondiging doelgroep toevoegen iedereen local:#algemeen local:#demo",
                      "announce audience add all-staff local:#algemeen local:#demo")),
        Sub(Words("template", "sjabloon", ("templates", "sjablonen")),
            T("Jinja-sjablonen met variabelen: `sjabloon lijst`, `sjabloon toevoegen <naam> --tekst "
              "\"Hallo {{ naam }}\"`, `sjabloon toon|verwijder <naam>`; gebruik met "
              "`nieuw --sjabloon <naam> naam=waarde`",
              "Jinja templates with variables: `template list`, `template add <name> --body "
              "\"Hello {{ name }}\"`, `template show|delete <name>`; use with "
              "`new --template <name> name=value`"),
            _template, roles=COMMS,
            params=(Param(Words("action", "actie"), choices=(
                        Words("list", "lijst"), Words("add", "toevoegen", ("set", "nieuw", "zet")),
                        Words("show", "toon"), Words("delete", "verwijder", ("remove", "verwijderen")))),
                    Param(Words("name", "naam")), BODY),
            example=T('aankondiging sjabloon toevoegen welkom --tekst "Welkom, {{ naam }}!"',
                      'announce template add welcome --body "Welcome, {{ name }}!"')),
        Sub(Words("form", "formulier"), T("het formulier om op te stellen",
                                          "the form to compose"),
            _form, roles=COMMS, hidden=True,
            example=T("aankondiging formulier", "announce form")),
    ))

"""``pulse``: the declared command tree (commands/tree.py) and its handlers.

``new`` (also ``create``) makes a draft with a preview, or opens the guide when nothing
follows it; ``confirm`` / ``edit`` / ``cancel`` before the start, ``approve`` / ``reject``
for four eyes (commands/pulse/lifecycle.py); ``list``, ``show``, ``results``, ``export``,
``close``, ``stop`` after it; ``answer`` for everyone.
"""

from __future__ import annotations

from commands import tree
from commands.context import Context
from commands.errors import UserError
from commands.grammar import Args
from commands.model import CommandRequest, Reply
from commands.org.tree import ROOT
from commands.pulse import lifecycle
from commands.pulse.access import may_manage, series_by_id
from commands.pulse.answer import answer_command
from commands.pulse.create import build
from commands.pulse.guide import start
from commands.pulse.jobs import close_round
from commands.pulse.lifecycle import latest_round, next_step, preview, shown_state, state_name
from commands.pulse.questions import load_questions
from commands.pulse.render import export_csv, results_text, when_text
from commands.pulse.text import PULSE
from commands.tree import Command, Param, Sub, T, Words
from storage.pulse import PulseRepository, PulseRound, PulseSeries

MANAGING = ("comms", "admin", "manager")  # a manager only for her own team's pulses


async def _managed(ctx: Context, args: Args) -> PulseSeries:
    series = await series_by_id(ctx, args.words[0])
    await may_manage(ctx, series)
    return series


# -- creating and changing ----------------------------------------------------------------
def _split(ctx: Context, sub: Sub, text: str) -> tuple[Args, list[str]]:
    """The first line is parsed by the tree (one argument-error path); the lines under it
    are questions, one per line."""
    first, *rest = text.split("\n")
    return tree.parse(COMMAND, sub, ctx, first), rest


async def _new(request: CommandRequest, ctx: Context, text: str) -> Reply:
    if not text.strip():
        return await start(request, ctx)
    args, lines = _split(ctx, NEW, text)
    series = await lifecycle.save(ctx, await build(request, ctx, args, lines))
    if "confirm" in args.flags:
        outcome = await lifecycle.confirm(ctx, series, request.user)
        fresh = await lifecycle.repo(ctx).series(lifecycle.series_id(series))
        assert fresh is not None
        summary = "\n".join(await lifecycle.summary(ctx, fresh))
        return Reply.text(f"{ctx.text(PULSE, 'confirmed.head', id=series.id)}\n\n"
                          f"> **{series.title}**\n{summary}\n\n{outcome}")
    return Reply(await preview(ctx, series))


async def _edit(request: CommandRequest, ctx: Context, text: str) -> Reply:
    args, lines = _split(ctx, EDIT, text)
    series = await _managed(ctx, args)
    args.words.pop(0)
    draft = await build(request, ctx, args, lines, base=series)
    return Reply(await preview(ctx, await lifecycle.replace(ctx, series, draft)))


async def _confirm(request: CommandRequest, ctx: Context, args: Args) -> Reply:
    series = await _managed(ctx, args)
    return Reply.text(await lifecycle.confirm(ctx, series, request.user))


async def _cancel(request: CommandRequest, ctx: Context, args: Args) -> Reply:
    return Reply.text(await lifecycle.cancel(ctx, await _managed(ctx, args)))


async def _approve(request: CommandRequest, ctx: Context, args: Args) -> Reply:
    series = await series_by_id(ctx, args.words[0])
    return Reply.text(await lifecycle.decide(ctx, series, request.user, approve=True))


async def _reject(request: CommandRequest, ctx: Context, args: Args) -> Reply:
    series = await series_by_id(ctx, args.words[0])
    return Reply.text(await lifecycle.decide(ctx, series, request.user, approve=False,
                                             note=" ".join(args.words[1:])))


# -- after the start ----------------------------------------------------------------------
async def _settle_overdue(ctx: Context, row: PulseRound | None) -> PulseRound | None:
    """A round past its closing time closes now (in case its close job was missed)."""
    if row is not None and row.state == "open" and row.closes_at <= ctx.clock.now():
        assert row.id is not None
        await close_round(ctx, row.id)
        return await ctx.store.repo(PulseRepository).round(row.id)
    return row


async def _show(request: CommandRequest, ctx: Context, args: Args) -> Reply:
    series = await _managed(ctx, args)
    if series.state == "draft":  # the way to confirm it later: the preview and its buttons
        return Reply(await preview(ctx, series))
    row = await _settle_overdue(ctx, await latest_round(ctx, series))
    state = shown_state(series, row)
    lines = [ctx.text(PULSE, "show.title", id=series.id, title=series.title,
                      state=state_name(ctx, state))]
    lines += await lifecycle.summary(ctx, series)
    if row is not None and row.state == "open":
        # Never a live count for anonymous pulses: it would show who just answered.
        lines.append(ctx.text(PULSE, "show.open", number=row.number,
                              closes=when_text(ctx, row.closes_at)))
        if not series.results_hidden and row.id is not None:
            count = await ctx.store.repo(PulseRepository).respondent_count(row.id)
            lines.append(ctx.text(PULSE, "show.live", n=count))
    elif row is not None:
        lines.append(ctx.text(PULSE, "show.closed", number=row.number,
                              closed=when_text(ctx, row.closed_at or row.closes_at)))
    lines += ["", await next_step(ctx, series, state)]
    return Reply.text("\n".join(lines))


async def _round(ctx: Context, series: PulseSeries, number: str | None) -> PulseRound:
    assert series.id is not None
    rounds = await ctx.store.repo(PulseRepository).rounds(series.id)
    rounds = [r for r in rounds if number is None or str(r.number) == number]
    row = await _settle_overdue(ctx, rounds[0] if rounds else None)
    if row is None or row.id is None:
        raise UserError(ctx.text(PULSE, "no_round"))
    if row.state == "open" and series.results_hidden:
        raise UserError(ctx.text(PULSE, "results.hidden", closes=when_text(ctx, row.closes_at)))
    return row


async def _results(request: CommandRequest, ctx: Context, args: Args) -> Reply:
    series = await _managed(ctx, args)
    number = args.words[1] if len(args.words) > 1 else None
    if "names" in args.flags:
        return await names(ctx, series, number)
    row = await _round(ctx, series, number)
    group = args.options.get("team", series.team or ROOT)
    return Reply.text(await results_text(ctx, series, row, group=group))


async def names(ctx: Context, series: PulseSeries, number: str | None) -> Reply:
    """Who chose what: only for named pulses (never for anonymous ones, whatever the role)."""
    if series.anonymous:
        raise UserError(ctx.text(PULSE, "names.anonymous"))
    row = await _round(ctx, series, number)
    assert row.id is not None
    answers = await ctx.store.repo(PulseRepository).answers(row.id)
    lines = [ctx.text(PULSE, "names.title", title=series.title, number=row.number)]
    for index, q in enumerate(load_questions(series.questions)):
        if q.kind == "text":
            continue
        lines += ["", f"**{index + 1}. {q.text}**"]
        for answer in sorted(answers, key=lambda a: a.voter_key):
            if answer.question == index:
                label = ", ".join(q.label(v, ctx.locale) for v in answer.value.split(","))
                lines.append(f"- `{answer.voter_key}`: {label}")
    return Reply.text("\n".join(lines))


async def _export(request: CommandRequest, ctx: Context, args: Args) -> Reply:
    series = await _managed(ctx, args)
    assert series.id is not None
    rows = await ctx.store.repo(PulseRepository).rounds(series.id)
    team = args.options.get("team")
    groups = [team] if team else sorted({series.team or ROOT, ROOT})
    text = await export_csv(ctx, series, rows, groups=groups)
    return Reply.text(ctx.text(PULSE, "export.head") + "\n```\n" + text + "```")


async def _close(request: CommandRequest, ctx: Context, args: Args) -> Reply:
    series = await _managed(ctx, args)
    row = await latest_round(ctx, series)
    if row is None or row.state != "open" or row.id is None:
        state = shown_state(series, row)
        raise UserError(ctx.text(PULSE, "close.none") + "\n" + await next_step(ctx, series, state))
    await close_round(ctx, row.id)
    return Reply.text(ctx.text(PULSE, "close.done", number=row.number, title=series.title))


async def _stop(request: CommandRequest, ctx: Context, args: Args) -> Reply:
    series = await _managed(ctx, args)
    assert series.id is not None
    if series.state != "scheduled":  # nothing started: cancel says it better
        return Reply.text(await lifecycle.cancel(ctx, series))
    if series.schedule_id is not None:
        await ctx.scheduler.cancel(series.schedule_id)
    await ctx.store.repo(PulseRepository).update_series(series.id, active=False,
                                                         state="stopped")
    row = await latest_round(ctx, series)
    if row is not None and row.state == "open" and row.id is not None:
        await close_round(ctx, row.id)
    return Reply.text(ctx.text(PULSE, "stopped", id=series.id, title=series.title))


async def _list(request: CommandRequest, ctx: Context, args: Args) -> Reply:
    user = request.user
    everyone = await ctx.roles.has(user, "comms") or await ctx.roles.has(user, "admin")
    lines = []
    for series in await ctx.store.repo(PulseRepository).all_series():
        if series.state == "cancelled":
            continue
        if not (everyone or series.created_by == user.key or (
                series.team and await ctx.roles.has(user, "manager", team=series.team))):
            continue
        state = shown_state(series, await latest_round(ctx, series))
        lines.append(ctx.text(PULSE, "list.line", id=series.id, title=series.title,
                              audience=series.team or ctx.text(PULSE, "list.channels"),
                              state=state_name(ctx, state)))
        lines.append("  " + await next_step(ctx, series, state))
    if not lines:
        return Reply.text(ctx.text(PULSE, "list.empty"))
    return Reply.text("\n".join([ctx.text(PULSE, "list.title"), *lines]))


async def _answer(request: CommandRequest, ctx: Context, args: Args) -> Reply:
    return await answer_command(request, ctx, args.words[0])


# -- the declaration ----------------------------------------------------------------------
_ID = Param(Words("id", "nummer"), required=True)
_TEAM = Param(Words("team", "team"), option=True)
_SHAPE = (  # what a pulse is made of: the options of new and edit
    Param(Words("title", "titel"), option=True),
    _TEAM,
    Param(Words("channel", "kanaal", ("channels", "kanalen")), option=True),
    # ``--q1 "likert: ..."``: one question each (the kinds are in the summary of new).
    *(Param(Words(f"q{i}", f"q{i}", (f"v{i}", f"vraag{i}", f"question{i}")), option=True,
            value=Words("question", "vraag")) for i in range(1, 11)),
    Param(Words("when", "wanneer", ("at", "om", "start")), option=True),
    Param(Words("duration", "duur"), option=True),
    Param(Words("reminder", "herinnering"), option=True),
    Param(Words("remind-only-missing", "alleen-wie-mist"), flag=True),
    Param(Words("named", "met-namen", ("niet-anoniem",)), flag=True),
    Param(Words("anonymous", "anoniem"), flag=True),
    Param(Words("live", "live"), flag=True),
    Param(Words("lang", "taal", ("language",)), option=True),
)
NEW = Sub(
    Words("new", "nieuw", ("create", "maak")),
    T("nieuwe peiling; zonder meer krijg je een formulier of stap voor stap de vragen. Een "
      "vraag per `--q1 \"soort: vraag\"` (soorten: likert, enps, text, single en multi met "
      "`| optie | optie`). Eerst een voorbeeld: er gaat niets weg voor je bevestigt",
      "new poll; with nothing more you get a form or the questions step by step. One question "
      "per `--q1 \"kind: question\"` (kinds: likert, enps, text, single and multi with "
      "`| option | option`). A preview first: nothing goes out before you confirm"),
    _new, raw=True, roles=MANAGING,
    params=(Param(Words("title", "titel"), many=True), *_SHAPE[1:],
            Param(Words("confirm", "bevestig"), flag=True)),
    example=T('peiling nieuw "Hoe gaat het?" --team demo --duur 1d '
              '--q1 "likert: Ik kan mijn werk goed doen"',
              'pulse new "How are you?" --team demo --duration 1d '
              '--q1 "likert: I can do my work well"'))
EDIT = Sub(
    Words("edit", "wijzig"),
    T("wijzig een peiling voor de start (daarna weer bevestigen)",
      "change a poll before it starts (then confirm again)"),
    _edit, raw=True, roles=MANAGING, params=(_ID, *_SHAPE),
    example=T('peiling wijzig 1 --wanneer "maandag 9:00"', 'pulse edit 1 --when "monday 9:00"'))


def _sub(en: str, nl: str, also: tuple[str, ...], summary: T, handler: object,
         example: T, *, params: tuple[Param, ...] = (_ID,),
         roles: tuple[str, ...] = MANAGING) -> Sub:
    return Sub(Words(en, nl, also), summary, handler, params=params,  # type: ignore[arg-type]
               example=example, roles=roles)


COMMAND = Command(
    Words("pulse", "peiling", ("pulses", "peilingen")),
    T("korte, anonieme peilingen", "short, anonymous polls"),
    subs=(
        NEW,
        _sub("list", "lijst", (), T("de peilingen die je mag beheren, met wat nu kan",
                                    "the polls you may manage, with what you can do next"),
             _list, T("peiling lijst", "pulse list"), params=()),
        _sub("show", "toon", ("status",), T("een peiling: vragen, planning, stand",
                                            "one poll: questions, schedule, state"),
             _show, T("peiling toon 1", "pulse show 1")),
        _sub("confirm", "bevestig", (), T("bevestig een concept: plannen of ter goedkeuring",
                                          "confirm a draft: schedule it or ask for approval"),
             _confirm, T("peiling bevestig 1", "pulse confirm 1")),
        EDIT,
        _sub("cancel", "annuleer", ("annuleren",),
             T("annuleer een peiling voor de start: er gaat niets weg",
               "cancel a poll before it starts: nothing goes out"),
             _cancel, T("peiling annuleer 1", "pulse cancel 1")),
        _sub("approve", "goedkeuren", ("keur",),
             T("keur de peiling van een ander goed (vier ogen)",
               "approve someone else's poll (four eyes)"),
             _approve, T("peiling goedkeuren 1", "pulse approve 1"), roles=("comms",)),
        _sub("reject", "afwijzen", ("wijs",),
             T("wijs de peiling van een ander af, met een reden",
               "reject someone else's poll, with a reason"),
             _reject, T("peiling afwijzen 1 de vragen zijn te lang",
                        "pulse reject 1 the questions are too long"),
             params=(_ID, Param(Words("reason", "reden"), many=True)), roles=("comms",)),
        _sub("results", "resultaten", ("uitslag",),
             T("resultaten van de laatste (of een) ronde, per team; met --namen wie wat koos "
               "(alleen zonder anonimiteit)", "results of the latest (or a) round, per team; "
               "with --names who chose what (named polls only)"),
             _results, T("peiling resultaten 1", "pulse results 1"),
             params=(_ID, Param(Words("round", "ronde")), _TEAM,
                     Param(Words("names", "namen"), flag=True))),
        _sub("export", "exporteer", (), T("resultaten van alle rondes als CSV",
                                          "results of every round as CSV"),
             _export, T("peiling exporteer 1", "pulse export 1"), params=(_ID, _TEAM)),
        _sub("close", "sluit", ("sluiten",), T("sluit de open ronde nu",
                                               "close the open round now"),
             _close, T("peiling sluit 1", "pulse close 1")),
        _sub("stop", "stoppen", (), T("stop een peiling: geen nieuwe rondes meer",
                                      "stop a poll: no new rounds"),
             _stop, T("peiling stoppen 1", "pulse stop 1")),
        _sub("answer", "antwoord", ("beantwoord",),
             T("beantwoord een peiling in een privébericht", "answer a poll in a direct message"),
             _answer, T("peiling antwoord 1", "pulse answer 1"),
             params=(Param(Words("round", "ronde"), required=True),), roles=()),
    ),
    default="list")

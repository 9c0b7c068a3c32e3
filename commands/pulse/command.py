"""``pulse create|list|show|close|stop|results|export|answer``."""

from __future__ import annotations

import json

from commands import timespec
from commands.context import Context
from commands.errors import UserError
from commands.grammar import ArgsError, parse_args
from commands.messages import CORE
from commands.model import Address, CommandRequest, Reply
from commands.org import load_tree
from commands.org.tree import ROOT
from commands.pulse.answer import answer_command
from commands.pulse.create import draft
from commands.pulse.jobs import OPEN, close_round
from commands.pulse.questions import LABELS, load_questions
from commands.pulse.render import export_csv, results_text, when_text
from commands.pulse.runtime import PulseRuntime
from commands.pulse.text import PULSE
from storage.pulse import PulseRound, PulseSeries


async def _series(ctx: Context, word: str | None) -> PulseSeries:
    if word is None or not word.lstrip("#").isdecimal():
        raise UserError(ctx.text(PULSE, "need_id"))
    found = await ctx.store.repo(PulseRuntime).repo.series(int(word.lstrip("#")))
    if found is None:
        raise UserError(ctx.text(PULSE, "no_pulse", id=word[:20]))
    return found


async def _may_manage(ctx: Context, series: PulseSeries) -> None:
    """The author, comms, admins and managers of the pulse's team."""
    user = ctx.user
    assert user is not None
    if user.key == series.created_by:
        return
    if await ctx.roles.has(user, "comms") or await ctx.roles.has(user, "admin"):
        return
    if series.team and await ctx.roles.has(user, "manager", team=series.team):
        return
    await ctx.require("comms")


async def create(request: CommandRequest, ctx: Context, text: str) -> Reply:
    made = await draft(request, ctx, text)
    runtime = ctx.store.repo(PulseRuntime)
    series = await runtime.repo.add_series(made.series)
    assert series.id is not None
    schedule = await ctx.scheduler.add(OPEN, made.trigger, {"series": series.id},
                                       owner=f"pulse:{series.id}", notify=series.created_by)
    await runtime.repo.update_series(series.id, schedule_id=schedule)
    audience = (ctx.text(PULSE, "audience.team", team=series.team) if series.team else
                ctx.text(PULSE, "audience.channels", channels=", ".join(
                    Address.parse(a).channel for a in json.loads(series.channels))))
    mode = ctx.text(PULSE, "mode.anonymous" if series.anonymous else "mode.named")
    return Reply.text(ctx.text(
        PULSE, "created", id=series.id, title=series.title,
        n=len(load_questions(series.questions)), audience=audience, mode=mode,
        when=timespec.describe(made.trigger, ctx.locale),
        hours=_hours(series.duration_minutes)))


def _hours(minutes: int) -> str:
    return f"{minutes / 60:g}"


async def _current_round(ctx: Context, series: PulseSeries) -> PulseRound | None:
    assert series.id is not None
    rounds = await ctx.store.repo(PulseRuntime).repo.rounds(series.id, limit=1)
    return rounds[0] if rounds else None


async def _settle_overdue(ctx: Context, row: PulseRound | None) -> PulseRound | None:
    """A round past its closing time closes now (in case its close job was missed)."""
    if row is not None and row.state == "open" and row.closes_at <= ctx.clock.now():
        assert row.id is not None
        await close_round(ctx, row.id)
        return await ctx.store.repo(PulseRuntime).repo.round(row.id)
    return row


async def show(ctx: Context, series: PulseSeries) -> Reply:
    row = await _settle_overdue(ctx, await _current_round(ctx, series))
    lines = [ctx.text(PULSE, "show.title", id=series.id, title=series.title)]
    trigger = timespec.from_json(json.loads(series.trigger)) if series.trigger else None
    if trigger is not None:
        lines.append(ctx.text(PULSE, "show.schedule", when=timespec.describe(trigger, ctx.locale),
                              active=ctx.text(PULSE, "yes" if series.active else "no")))
    lines.append(ctx.text(PULSE, "mode.anonymous" if series.anonymous else "mode.named"))
    for i, q in enumerate(load_questions(series.questions), 1):
        lines.append(f"{i}. {q.text} ({LABELS.get(ctx.locale, f'kind.{q.kind}')})")
    if row is None:
        lines.append(ctx.text(PULSE, "show.no_round"))
    elif row.state == "open":
        # Never a live count for anonymous pulses: it would show who just answered.
        lines.append(ctx.text(PULSE, "show.open", number=row.number,
                              closes=when_text(ctx, row.closes_at)))
        if not series.results_hidden and row.id is not None:
            count = await ctx.store.repo(PulseRuntime).repo.respondent_count(row.id)
            lines.append(ctx.text(PULSE, "show.live", n=count))
    else:
        lines.append(ctx.text(PULSE, "show.closed", number=row.number,
                              closed=when_text(ctx, row.closed_at or row.closes_at)))
    return Reply.text("\n".join(lines))


async def results(ctx: Context, series: PulseSeries, number: str | None, group: str) -> Reply:
    assert series.id is not None
    rounds = await ctx.store.repo(PulseRuntime).repo.rounds(series.id)
    if number is not None:
        rounds = [r for r in rounds if str(r.number) == number]
    row = await _settle_overdue(ctx, rounds[0] if rounds else None)
    if row is None:
        raise UserError(ctx.text(PULSE, "no_round"))
    if row.state == "open" and series.results_hidden:
        raise UserError(ctx.text(PULSE, "results.hidden", closes=when_text(ctx, row.closes_at)))
    return Reply.text(await results_text(ctx, series, row, group=group))


async def names(ctx: Context, series: PulseSeries, number: str | None) -> Reply:
    """Who chose what: only for named pulses (never for anonymous ones, whatever the role)."""
    if series.anonymous:
        raise UserError(ctx.text(PULSE, "names.anonymous"))
    assert series.id is not None
    rounds = await ctx.store.repo(PulseRuntime).repo.rounds(series.id)
    rounds = [r for r in rounds if number is None or str(r.number) == number]
    row = await _settle_overdue(ctx, rounds[0] if rounds else None)
    if row is None or row.id is None:
        raise UserError(ctx.text(PULSE, "no_round"))
    if row.state == "open" and series.results_hidden:
        raise UserError(ctx.text(PULSE, "results.hidden", closes=when_text(ctx, row.closes_at)))
    answers = await ctx.store.repo(PulseRuntime).repo.answers(row.id)
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


async def handle(request: CommandRequest, ctx: Context) -> Reply | None:
    # Config teams (and their managers' role grants) are synced on first use: before roles.
    await load_tree(ctx)
    head, _, body = request.args.partition("\n")
    word, _, rest = head.strip().partition(" ")
    action = word.lower()
    if action in ("create", "maak", "nieuw", "new"):
        return await create(request, ctx, rest + ("\n" + body if body else ""))
    try:
        args = parse_args(head, flags=frozenset({"names", "namen"}))
    except ArgsError as exc:
        raise UserError(ctx.text(CORE, "bad_args", reason=str(exc))) from None
    args.pop_word()
    if action in ("answer", "antwoord", "beantwoord"):
        return await answer_command(request, ctx, args.words[0] if args.words else None)
    if action in ("", "list", "lijst"):
        return await list_pulses(ctx)
    series = await _series(ctx, args.words[0] if args.words else None)
    await _may_manage(ctx, series)
    group = args.options.get("team", series.team or ROOT)
    if action in ("show", "toon", "status"):
        return await show(ctx, series)
    if action in ("results", "resultaten", "uitslag"):
        number = args.words[1] if len(args.words) > 1 else None
        if "names" in args.flags or "namen" in args.flags:
            return await names(ctx, series, number)
        return await results(ctx, series, number, group)
    if action == "export":
        assert series.id is not None
        rows = await ctx.store.repo(PulseRuntime).repo.rounds(series.id)
        groups = [group] if "team" in args.options else sorted({series.team or ROOT, ROOT})
        text = await export_csv(ctx, series, rows, groups=groups)
        return Reply.text(ctx.text(PULSE, "export.head") + "\n```\n" + text + "```")
    if action in ("close", "sluit", "sluiten"):
        row = await _current_round(ctx, series)
        if row is None or row.state != "open" or row.id is None:
            raise UserError(ctx.text(PULSE, "close.none"))
        await close_round(ctx, row.id)
        return Reply.text(ctx.text(PULSE, "close.done", number=row.number, title=series.title))
    if action in ("stop", "stoppen"):
        assert series.id is not None
        if series.schedule_id is not None:
            await ctx.scheduler.cancel(series.schedule_id)
        await ctx.store.repo(PulseRuntime).repo.update_series(series.id, active=False)
        row = await _current_round(ctx, series)
        if row is not None and row.state == "open" and row.id is not None:
            await close_round(ctx, row.id)
        return Reply.text(ctx.text(PULSE, "stopped", id=series.id, title=series.title))
    raise UserError(ctx.text(PULSE, "usage"))


async def list_pulses(ctx: Context) -> Reply:
    user = ctx.user
    assert user is not None
    everyone = await ctx.roles.has(user, "comms") or await ctx.roles.has(user, "admin")
    mine = []
    for series in await ctx.store.repo(PulseRuntime).repo.all_series():
        if everyone or series.created_by == user.key or (
                series.team and await ctx.roles.has(user, "manager", team=series.team)):
            mine.append(series)
    if not mine:
        return Reply.text(ctx.text(PULSE, "list.empty"))
    lines = [ctx.text(PULSE, "list.title")]
    for series in mine:
        state = ctx.text(PULSE, "yes" if series.active else "no")
        lines.append(ctx.text(PULSE, "list.line", id=series.id, title=series.title,
                              audience=series.team or ctx.text(PULSE, "list.channels"),
                              active=state))
    return Reply.text("\n".join(lines))

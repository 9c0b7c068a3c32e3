"""Results as text and CSV. Everything goes through ``round_results`` (k and differencing)."""

from __future__ import annotations

import csv
import io
import json
import random
from datetime import datetime
from zoneinfo import ZoneInfo

from commands.context import Context
from commands.org import load_tree
from commands.org.tree import ROOT, TeamTree
from commands.pulse.audience import decide
from commands.pulse.questions import LABELS, load_questions
from commands.pulse.results import GroupResult, QuestionResult, round_results
from commands.pulse.runtime import PulseRuntime
from commands.pulse.settings import PulseSettings
from commands.pulse.text import PULSE
from storage.pulse import PulseRound, PulseSeries, PulseShown

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def when_text(ctx: Context, when: datetime) -> str:
    local = when.astimezone(AMSTERDAM)
    return ctx.text(PULSE, "when", date=local.strftime("%d-%m-%Y"), time=local.strftime("%H:%M"))


def day_text(when: datetime) -> str:
    return when.astimezone(AMSTERDAM).strftime("%d-%m")


async def group_result(ctx: Context, series: PulseSeries, row: PulseRound, group: str, *,
                       tree: TeamTree | None = None, rng: random.Random | None = None
                       ) -> GroupResult:
    settings = ctx.settings.get(PulseSettings)
    runtime = ctx.state(PulseRuntime)
    assert row.id is not None
    if tree is None:
        tree = await load_tree(ctx)
    questions = load_questions(series.questions)
    result = round_results(
        group, questions=questions,
        answers=await runtime.repo.answers(row.id), comments=await runtime.repo.comments(row.id),
        tree=tree, invited=json.loads(row.invited or "{}"), k=settings.k,
        k_text=settings.k_text, rng=rng)
    if result.respondents is None or row.state != "closed":
        return result  # hidden already, or a named pulse's live result (not kept)
    decision = await decide(ctx, tree, series, row, group)
    if decision.shown:
        return result
    return GroupResult(group, None, None, [None] * len(questions), None, "time",
                       await _against(ctx, decision))


async def _against(ctx: Context, decision: PulseShown) -> tuple[str, str, int] | None:
    """The earlier shown result a hidden one conflicted with, for the reason text."""
    repo = ctx.state(PulseRuntime).repo
    other = await repo.round(decision.against_round or 0)
    series = await repo.series(other.series_id) if other is not None else None
    if other is None or series is None:
        return None
    return decision.against_group, series.title, other.number


def hidden_text(ctx: Context, result: GroupResult) -> str:
    """Why a whole group is hidden, in words a manager understands."""
    k = ctx.settings.get(PulseSettings).k
    if result.reason == "time" and result.against is not None:
        group, title, number = result.against
        where = (ctx.text(PULSE, "group.all") if group == ROOT
                 else ctx.text(PULSE, "hidden.team", team=group))
        return ctx.text(PULSE, "hidden.time", k=k, group=where, title=title, number=number)
    if result.reason in ("tree", "time"):
        return ctx.text(PULSE, "hidden.tree", k=k)
    return ctx.text(PULSE, "hidden.size", k=k)


def participation_text(ctx: Context, result: GroupResult) -> str:
    """How many took part (of how many invited, where known); for a hidden group, why it is
    hidden (results and manager summaries alike)."""
    if result.respondents is None:
        return hidden_text(ctx, result)
    if result.invited:
        return ctx.text(PULSE, "result.participation_of", n=result.respondents,
                        invited=result.invited,
                        pct=f"{100 * result.respondents / result.invited:.0f}")
    return ctx.text(PULSE, "result.participation", n=result.respondents)


CSV_NOTES = {"size": "not enough responses (fewer than {k} people)",
             "tree": "hidden: would reveal the answers of fewer than {k} people together "
                     "with other groups of this round",
             "time": "hidden: would reveal the answers of fewer than {k} people compared with "
                     "an earlier result"}


def csv_note(ctx: Context, result: GroupResult) -> str:
    k = ctx.settings.get(PulseSettings).k
    note = CSV_NOTES.get(result.reason, CSV_NOTES["size"]).format(k=k)
    if result.reason == "time" and result.against is not None:
        group, title, number = result.against
        note += f" for {'everyone' if group == ROOT else 'team ' + group} ({title}, round {number})"
    return note


def group_name(ctx: Context, group: str) -> str:
    return ctx.text(PULSE, "group.all") if group == ROOT else group


def bar(share: float, width: int = 10) -> str:
    filled = round(share * width)
    return "█" * filled + "░" * (width - filled)


def question_lines(ctx: Context, result: QuestionResult) -> list[str]:
    q = result.question
    lines = []
    if result.mean is not None:
        lines.append(ctx.text(PULSE, "result.mean", mean=f"{result.mean:.1f}", n=result.n))
    if result.enps is not None:
        lines.append(ctx.text(PULSE, "result.enps", score=f"{result.enps:+.0f}"))
    if q.kind == "enps":
        buckets = {"0-6": range(7), "7-8": range(7, 9), "9-10": range(9, 11)}
        for label, values in buckets.items():
            count = sum(result.counts.get(str(v), 0) for v in values)
            share = count / result.n
            lines.append(f"`{bar(share)}` {share:4.0%} {label}")
        return lines
    for value, label in q.choices(ctx.locale):
        share = result.share(value)
        lines.append(f"`{bar(share)}` {share:4.0%} {label}")
    if q.kind == "multi":
        lines.append(ctx.text(PULSE, "result.multi_note", n=result.n))
    return lines


def result_text(ctx: Context, series: PulseSeries, row: PulseRound, result: GroupResult) -> str:
    lines = [ctx.text(PULSE, "result.title", title=series.title, number=row.number,
                      group=group_name(ctx, result.group)), participation_text(ctx, result)]
    if result.respondents is None:
        return "\n".join(lines)
    for index, q in enumerate(load_questions(series.questions)):
        lines += ["", f"**{index + 1}. {q.text}** ({LABELS.get(ctx.locale, f'kind.{q.kind}')})"]
        if q.kind == "text":
            if result.comments is None:
                lines.append(ctx.text(PULSE, "too_few_text"))
            else:
                lines += [f"> {c}" for c in result.comments]
            continue
        found = result.questions[index]
        lines += [ctx.text(PULSE, "too_few")] if found is None else question_lines(ctx, found)
    return "\n".join(lines)


async def results_text(ctx: Context, series: PulseSeries, row: PulseRound, *,
                       group: str = ROOT) -> str:
    result = await group_result(ctx, series, row, group)
    return result_text(ctx, series, row, result)


CSV_HEADER = ("pulse", "round", "closed", "group", "question", "kind", "answer", "count",
              "share", "respondents", "mean", "enps", "note")


async def export_csv(ctx: Context, series: PulseSeries, rounds: list[PulseRound], *,
                     groups: list[str]) -> str:
    """Aggregates only, k and differencing applied; free text is never exported."""
    tree = await load_tree(ctx)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    questions = load_questions(series.questions)
    for row in sorted(rounds, key=lambda r: r.number):
        if row.state != "closed":
            continue
        closed = row.closed_at.astimezone(AMSTERDAM).date().isoformat() if row.closed_at else ""
        for group in groups:
            result = await group_result(ctx, series, row, group, tree=tree)
            base = [series.id, row.number, closed, group]
            if result.respondents is None:
                writer.writerow([*base, "", "", "", "", "", "", "", "", csv_note(ctx, result)])
                continue
            for index, q in enumerate(questions):
                if q.kind == "text":
                    continue
                found = result.questions[index]
                if found is None:
                    writer.writerow([*base, index + 1, q.kind, "", "", "", "", "", "",
                                     "not enough responses"])
                    continue
                mean = f"{found.mean:.2f}" if found.mean is not None else ""
                enps = f"{found.enps:.0f}" if found.enps is not None else ""
                for value, label in q.choices("en" if ctx.locale == "en" else "nl"):
                    writer.writerow([*base, index + 1, q.kind, label, found.counts.get(value, 0),
                                     f"{found.share(value):.3f}", found.n, mean, enps, ""])
    return out.getvalue()

"""A team's summary for its managers: participation, per question the mean and the
distribution, eNPS, the trend over the last rounds, comments (only 10 or more, shuffled, no
times) and a PNG trend chart. Every number comes from ``round_results`` (k, differencing).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime

from commands.charts import Line, render_trend
from commands.context import Context
from commands.errors import UserError
from commands.model import Image, OutgoingMessage
from commands.org import load_tree
from commands.org.tree import TeamTree
from commands.pulse.questions import load_questions
from commands.pulse.render import (
    day_text,
    group_result,
    participation_text,
    question_lines,
    when_text,
)
from commands.pulse.results import GroupResult
from commands.pulse.runtime import PulseRuntime
from commands.pulse.settings import PulseSettings
from commands.summaries.text import SUMMARY
from storage.pulse import PulseRound, PulseSeries


@dataclass(frozen=True)
class Summary:
    message: OutgoingMessage
    closed_at: datetime | None


def related(tree: TeamTree, team: str, series: PulseSeries) -> bool:
    """The pulse reached (part of) the team: its audience is the team, above or below it."""
    if not series.team or series.team not in tree.teams:
        return False
    return (series.team == team or series.team in tree.ancestors(team)
            or series.team in tree.subtree(team))


async def pick(ctx: Context, tree: TeamTree, team: str, series_id: int | None
               ) -> tuple[PulseSeries, list[PulseRound]] | None:
    """The pulse to summarise with its closed rounds (newest first)."""
    repo = ctx.state(PulseRuntime).repo
    if series_id is not None:
        found = await repo.series(series_id)
        if found is None:
            raise UserError(ctx.text(SUMMARY, "no_pulse", id=series_id))
        candidates = [found]
    else:
        candidates = [s for s in await repo.all_series() if related(tree, team, s)]
    best: tuple[PulseSeries, list[PulseRound]] | None = None
    for series in candidates:
        assert series.id is not None
        closed = [r for r in await repo.rounds(series.id) if r.state == "closed"]
        if closed and (best is None or (closed[0].closed_at or closed[0].closes_at) >
                       (best[1][0].closed_at or best[1][0].closes_at)):
            best = (series, closed)
    return best


def _arrow(ctx: Context, now: float | None, before: float | None, unit: str = "") -> str:
    if now is None or before is None:
        return ""
    delta = now - before
    symbol = "↑" if delta > 0.05 else "↓" if delta < -0.05 else "→"
    return " " + ctx.text(SUMMARY, "trend", arrow=symbol, delta=f"{delta:+.1f}{unit}")


def _score(result: GroupResult, index: int) -> float | None:
    found = result.questions[index] if index < len(result.questions) else None
    if found is None:
        return None
    return found.enps if found.enps is not None else found.mean


async def build(ctx: Context, team: str, series_id: int | None = None, *,
                images: bool = True, rng: random.Random | None = None) -> Summary:
    settings = ctx.settings.get(PulseSettings)
    tree = await load_tree(ctx)
    if team not in tree.teams:
        raise UserError(ctx.text(SUMMARY, "no_team", team=team[:100]))
    chosen = await pick(ctx, tree, team, series_id)
    if chosen is None:
        raise UserError(ctx.text(SUMMARY, "nothing", team=team))
    series, closed = chosen
    rounds = list(reversed(closed[: settings.trend_rounds]))  # oldest first
    results = [await group_result(ctx, series, r, team, tree=tree, rng=rng) for r in rounds]
    latest, row = results[-1], rounds[-1]
    previous = results[-2] if len(results) > 1 else None
    lines = [ctx.text(SUMMARY, "title", team=team, title=series.title, number=row.number,
                      closed=when_text(ctx, row.closed_at or row.closes_at))]
    lines.append(participation_text(ctx, latest))
    questions = load_questions(series.questions)
    # A hidden round shows no question at all: the reason above is the whole story.
    for index, q in enumerate(questions if latest.respondents is not None else []):
        lines += ["", f"**{index + 1}. {q.text}**"]
        if q.kind == "text":
            if latest.comments is None:
                lines.append(ctx.text(SUMMARY, "too_few_text", k=settings.k_text))
            else:
                lines += [f"> {comment}" for comment in latest.comments]
            continue
        found = latest.questions[index]
        if found is None:
            lines.append(ctx.text(SUMMARY, "too_few"))
            continue
        body = question_lines(ctx, found)
        if q.kind in ("likert", "enps") and previous is not None and body:
            at = 1 if q.kind == "enps" and len(body) > 1 else 0  # eNPS: the trend of the score
            body[at] += _arrow(ctx, _score(latest, index), _score(previous, index))
        lines += body
    numeric = [i for i, q in enumerate(questions) if q.kind in ("likert", "enps")]
    trend_lines = []
    for i in numeric:
        values = [_score(r, i) for r in results]
        trend_lines.append(Line(f"{i + 1}. {questions[i].text[:30]}", values))
    alt = _alt_text(ctx, rounds, trend_lines)
    if trend_lines:
        lines += ["", alt]
    image = None
    if images and trend_lines and any(v is not None for line in trend_lines for v in line.values):
        likert = [line for i, line in zip(numeric, trend_lines, strict=True)
                  if questions[i].kind == "likert"]
        shown = likert or trend_lines
        y_range = (0.8, 5.2) if likert else (-105.0, 105.0)
        png = await render_trend([f"{r.number} ({day_text(r.opened_at)})" for r in rounds],
                                 shown, title=f"{team}: {series.title}"[:60], y_range=y_range,
                                 x_label=ctx.text(SUMMARY, "chart_x"),
                                 y_label=ctx.text(SUMMARY, "chart_y_likert" if likert
                                                  else "chart_y_enps"))
        image = Image(png, alt, filename=f"pulse-{series.id}-{team}.png")
    return Summary(OutgoingMessage("\n".join(lines), image=image,
                                   title=ctx.text(SUMMARY, "heading", team=team)),
                   row.closed_at)


def _alt_text(ctx: Context, rounds: list[PulseRound], lines: list[Line]) -> str:
    parts = [ctx.text(SUMMARY, "trend_head", n=len(rounds))]
    for line in lines:
        values = " → ".join("–" if v is None else f"{v:.1f}" for v in line.values)
        parts.append(f"- {line.label}: {values}")
    return "\n".join(parts)

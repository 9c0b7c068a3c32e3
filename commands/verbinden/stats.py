"""``verbinden stats``: participation and meeting rates per round, as numbers and a chart.

Aggregates only, under the pulse minimum group size ``k``: a round with fewer than k
participants, or fewer than k follow-up answers, shows no figure (a small round's rate could
say who did not meet)."""

from __future__ import annotations

from commands.charts import Line, render_trend
from commands.context import Context
from commands.model import Image, OutgoingMessage, Reply
from commands.pulse.settings import PulseSettings
from commands.verbinden.messages import VERBINDEN
from storage.verbinden import VerbindenProgramme, VerbindenRepository, VerbindenRound


def met_rate(row: VerbindenRound, k: int) -> tuple[float, int] | None:
    """(share who met, answers) or None when withheld."""
    answered = row.met_yes + row.met_not_yet + row.met_no
    if row.participants < k or answered < k:
        return None
    return 100.0 * row.met_yes / answered, answered


def _met_text(ctx: Context, found: tuple[float, int] | None) -> str:
    if found is None:
        return ctx.text(VERBINDEN, "withheld")
    return ctx.text(VERBINDEN, "percent", value=round(found[0]), answered=found[1])


async def stats(ctx: Context, programme: VerbindenProgramme) -> Reply:
    assert programme.id is not None
    k = ctx.settings.get(PulseSettings).k
    rounds = await ctx.store.repo(VerbindenRepository).rounds(programme.id)
    if not rounds:
        return Reply.text(ctx.text(VERBINDEN, "stats_empty", name=programme.name))
    lines = [ctx.text(VERBINDEN, "stats_title", name=programme.name, k=k)]
    shown: list[VerbindenRound] = []
    for row in rounds:
        if row.participants < k:
            lines.append(ctx.text(VERBINDEN, "stats_hidden", number=row.number))
            continue
        shown.append(row)
        lines.append(ctx.text(VERBINDEN, "stats_line", number=row.number,
                              participants=row.participants, groups=row.groups,
                              met=_met_text(ctx, met_rate(row, k))))
    lines.append(ctx.text(VERBINDEN, "stats_total", rounds=len(rounds),
                          met=_met_text(ctx, _overall(rounds, k))))
    image = None
    if shown:
        png = await render_trend(
            [str(r.number) for r in shown],
            [Line(ctx.text(VERBINDEN, "chart_participants"), [r.participants for r in shown]),
             Line(ctx.text(VERBINDEN, "chart_met"),
                  [(met_rate(r, k) or (None, 0))[0] for r in shown])],
            title=programme.name)
        image = Image(png, ctx.text(VERBINDEN, "chart_alt"), "verbinden.png")
    return Reply(OutgoingMessage("\n".join(lines), image=image))


def _overall(rounds: list[VerbindenRound], k: int) -> tuple[float, int] | None:
    visible = [r for r in rounds if met_rate(r, k) is not None]
    yes = sum(r.met_yes for r in visible)
    answered = sum(r.met_yes + r.met_not_yet + r.met_no for r in visible)
    if answered < k:
        return None
    return 100.0 * yes / answered, answered

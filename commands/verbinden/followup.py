"""After a round: the organiser's delivery report and, days later, one question per person
("Hebben jullie elkaar gesproken?"). Answers only move counters the organiser sees as totals;
who met whom is never shown to anyone."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from commands.context import Context
from commands.delivery import Delivery
from commands.errors import UserError
from commands.model import Choice, Interaction, OutgoingMessage, Reply
from commands.verbinden.messages import VERBINDEN
from commands.verbinden.rounds import intro_batch, user_of
from storage.verbinden import ANSWERS, VerbindenProgramme, VerbindenRepository, VerbindenRound

MET = "verbinden.met"


async def _round(ctx: Context, payload: Mapping[str, Any]) -> tuple[VerbindenProgramme,
                                                                      VerbindenRound] | None:
    repo = ctx.store.repo(VerbindenRepository)
    row = await repo.get_round(int(payload["round"]))
    programme = await repo.get(row.programme_id) if row else None
    if row is None or programme is None:
        return None
    return programme, row


async def followup_job(payload: Mapping[str, Any], ctx: Context) -> None:
    found = await _round(ctx, payload)
    if found is None:
        return
    programme, row = found
    assert row.id is not None
    deliveries = []
    for member in await ctx.store.repo(VerbindenRepository).members(row.id):
        user = user_of(member.user_key)
        local = ctx.with_locale(await ctx.locale_for(user=user))
        choices = tuple(Choice(MET, f"{row.id}:{answer}", local.text(VERBINDEN, f"answer.{answer}"),
                               "primary" if answer == "yes" else "default")
                        for answer in ANSWERS)
        text = local.text(VERBINDEN, "followup", name=programme.name, number=row.number)
        deliveries.append(Delivery(OutgoingMessage(text, choices), user=user))
    if deliveries:
        await ctx.delivery.enqueue(deliveries,
                                   batch=f"verbinden:{programme.id}:{row.number}:followup")


async def on_met(request: Interaction, ctx: Context) -> Reply:
    round_id, _, answer = request.value.partition(":")
    if not round_id.isdigit() or answer not in ANSWERS:
        raise UserError(ctx.text(VERBINDEN, "answer_gone"))
    repo = ctx.store.repo(VerbindenRepository)
    if not await repo.answer(int(round_id), request.user.key, answer):
        raise UserError(ctx.text(VERBINDEN, "answer_gone"))
    return Reply(OutgoingMessage(ctx.text(VERBINDEN, "answered")), replace=True)


async def report_job(payload: Mapping[str, Any], ctx: Context) -> None:
    """Tell the organiser how the round went out; people who could not be reached are left
    out of later rounds (until they join again), so their partners are not stranded twice."""
    found = await _round(ctx, payload)
    if found is None:
        return
    programme, row = found
    assert programme.id is not None and row.id is not None
    report = await ctx.delivery.report(intro_batch(programme.id, row.number))
    failed = sorted({item.target for item in report.items if item.state == "failed"
                     and ":" in item.target and "://" not in item.target})
    repo = ctx.store.repo(VerbindenRepository)
    await repo.mark_unreachable(programme.id, failed)
    await repo.set_unreachable_count(row.id, len(failed))
    organiser = user_of(programme.created_by)
    local = ctx.with_locale(await ctx.locale_for(user=organiser))
    who = local.text(VERBINDEN, "report_who", who=", ".join(f"`{k}`" for k in failed[:50])) \
        if failed else ""
    text = local.text(VERBINDEN, "report", name=programme.name, number=row.number,
                      participants=row.participants, groups=row.groups,
                      unmatched=row.unmatched, unreachable=len(failed), who=who)
    await ctx.delivery.enqueue([Delivery(OutgoingMessage(text), user=organiser)],
                               batch=f"verbinden:{programme.id}:{row.number}:report")

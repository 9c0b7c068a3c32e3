"""The scheduled round: ``verbinden.round`` ({"programme": id}) at each slot of the
programme's schedule. The scheduler runs each slot once across restarts; the round number is
unique per programme, so a replayed slot cannot form a second round at once."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from commands.context import Context
from commands.schedule import DEFAULT_TIMEZONE
from commands.verbinden.rounds import Formed, form_round, introduce
from commands.verbinden.settings import VerbindenSettings
from storage.verbinden import VerbindenProgramme, VerbindenRepository

log = logging.getLogger("hartslag.verbinden")


async def run_round(ctx: Context, programme: VerbindenProgramme, *,
                    slot: str | None = None) -> Formed | None:
    formed = await form_round(ctx, programme, slot=slot)
    if formed is None:
        return None
    await introduce(ctx, programme, formed)
    # Counts only: never who was grouped with whom.
    log.info("round formed", extra={"programme": programme.id, "round": formed.row.number,
                                    "groups": formed.row.groups})
    return formed


async def round_job(payload: Mapping[str, Any], ctx: Context) -> None:
    programme = await ctx.store.repo(VerbindenRepository).get(int(payload["programme"]))
    if programme is None or not programme.active:
        return
    today = ctx.clock.now().astimezone(ZoneInfo(DEFAULT_TIMEZONE)).date()
    if today in ctx.settings.get(VerbindenSettings).skip_dates:
        log.info("round skipped: holiday", extra={"programme": programme.id})
        return
    schedule = payload.get("_schedule") or {}
    await run_round(ctx, programme, slot=str(schedule["slot"]) if "slot" in schedule else None)

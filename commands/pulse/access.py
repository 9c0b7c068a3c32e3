"""Who may manage a pulse, and finding one by the number someone typed."""

from __future__ import annotations

from commands.context import Context
from commands.errors import UserError
from commands.pulse.text import PULSE
from storage.pulse import PulseRepository, PulseSeries


async def series_by_id(ctx: Context, word: str) -> PulseSeries:
    if not word.lstrip("#").isdecimal():
        raise UserError(ctx.text(PULSE, "need_id", value=word[:20]))
    found = await ctx.store.repo(PulseRepository).series(int(word.lstrip("#")))
    if found is None:
        raise UserError(ctx.text(PULSE, "no_pulse", id=word[:20]))
    return found


async def may_manage(ctx: Context, series: PulseSeries) -> None:
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

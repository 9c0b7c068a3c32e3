"""Button presses on a pulse's preview (Confirm / Edit / Cancel) and on an approval request
(Approve / Reject). The local chat shows them as numbered choices, Matrix as numbered
replies: the same handlers run everywhere."""

from __future__ import annotations

from commands.context import Context
from commands.errors import UserError
from commands.model import Interaction, OutgoingMessage, Reply
from commands.pulse import lifecycle
from commands.pulse.access import may_manage, series_by_id
from commands.pulse.text import PULSE
from storage.pulse import PulseSeries


async def _series(ctx: Context, interaction: Interaction) -> PulseSeries:

    series = await series_by_id(ctx, interaction.value)
    await may_manage(ctx, series)
    return series


def _replacing(text: str) -> Reply:
    return Reply(OutgoingMessage(text), replace=True)


async def on_confirm(interaction: Interaction, ctx: Context) -> Reply | None:
    series = await _series(ctx, interaction)
    return _replacing(await lifecycle.confirm(ctx, series, interaction.user))


async def on_cancel(interaction: Interaction, ctx: Context) -> Reply | None:
    return _replacing(await lifecycle.cancel(ctx, await _series(ctx, interaction)))


async def on_edit(interaction: Interaction, ctx: Context) -> Reply | None:
    """A form with the current values where there are forms; elsewhere how to edit."""
    from commands.pulse.guide import compose_form

    series = await _series(ctx, interaction)
    hint = OutgoingMessage(ctx.text(PULSE, "edit.how", id=series.id))
    if ctx.port.capabilities(interaction.address.platform).forms:
        return Reply(hint, form=await compose_form(ctx, series))
    return Reply(hint)


async def on_approve(interaction: Interaction, ctx: Context) -> Reply | None:
    user = await ctx.require("comms")
    series = await _series_only(ctx, interaction)
    return _replacing(await lifecycle.decide(ctx, series, user, approve=True))


async def on_reject(interaction: Interaction, ctx: Context) -> Reply | None:
    user = await ctx.require("comms")
    series = await _series_only(ctx, interaction)
    return _replacing(await lifecycle.decide(ctx, series, user, approve=False))


async def _series_only(ctx: Context, interaction: Interaction) -> PulseSeries:

    if not interaction.value.isdecimal():
        raise UserError(ctx.text(PULSE, "answer.gone"))
    return await series_by_id(ctx, interaction.value)

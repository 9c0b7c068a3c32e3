"""Button presses: confirm or discard a preview, approve or reject, and "Gelezen" / "Read"."""

from __future__ import annotations

from commands.announcements.lifecycle import confirm, decide, repo, state_name
from commands.announcements.messages import TEXT
from commands.announcements.render import quoted_title
from commands.context import Context
from commands.errors import UserError
from commands.model import Interaction, OutgoingMessage, Reply, UserRef
from storage.announcements import Announcement, AnnouncementAck


async def require_comms(ctx: Context) -> UserRef:
    return await ctx.require("comms")


async def _announcement(ctx: Context, value: str) -> Announcement:
    found = await repo(ctx).get(int(value)) if value.isdecimal() else None
    if found is None:
        raise UserError(ctx.text(TEXT, "unknown_id", id=value[:12]))
    return found


def _replacing(text: str) -> Reply:
    return Reply(OutgoingMessage(text), replace=True)


async def on_confirm(interaction: Interaction, ctx: Context) -> Reply | None:
    ann = await _announcement(ctx, interaction.value)
    if interaction.user.key != ann.author_key:
        raise UserError(ctx.text(TEXT, "only_author", id=ann.id))
    return _replacing(await confirm(ctx, ann))


async def on_discard(interaction: Interaction, ctx: Context) -> Reply | None:
    ann = await _announcement(ctx, interaction.value)
    if interaction.user.key != ann.author_key:
        raise UserError(ctx.text(TEXT, "only_author", id=ann.id))
    assert ann.id is not None
    found = await repo(ctx).transition(ann.id, ("draft",), state="cancelled",
                                       updated_at=ctx.clock.now())
    if found is None:
        return _replacing(ctx.text(TEXT, "already_handled", id=ann.id,
                                   state=state_name(ctx, ann.state)))
    return _replacing(ctx.text(TEXT, "discarded", id=ann.id))


async def on_approve(interaction: Interaction, ctx: Context) -> Reply | None:
    user = await require_comms(ctx)
    ann = await _announcement(ctx, interaction.value)
    return _replacing(await decide(ctx, ann, user, approve=True))


async def on_reject(interaction: Interaction, ctx: Context) -> Reply | None:
    user = await require_comms(ctx)
    ann = await _announcement(ctx, interaction.value)
    return _replacing(await decide(ctx, ann, user, approve=False))


async def on_ack(interaction: Interaction, ctx: Context) -> Reply | None:
    """Each person counts once, wherever they press (a channel copy or a reminder DM)."""
    ann = await _announcement(ctx, interaction.value)
    if ann.state == "cancelled" or not ann.ack:
        return Reply.text(ctx.text(TEXT, "ack_closed"))
    assert ann.id is not None
    first = await repo(ctx).acknowledge(AnnouncementAck(
        announcement_id=ann.id, user_key=interaction.user.key,
        user_name=interaction.user.display_name[:200],
        target=str(interaction.address.without_thread())[:500], at=ctx.clock.now()))
    return Reply.text(ctx.text(TEXT, "ack_thanks" if first else "ack_again", title=quoted_title(ann)))

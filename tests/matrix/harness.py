"""Helpers for the Matrix tests: the features the bot runs, fan-out through the outbox, and
a tiny feature of the tests' own for the adapter's choices."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bots.matrix.adapter import MatrixAdapter
from commands.context import Context
from commands.delivery import Delivery
from commands.model import Choice, CommandRequest, Interaction, OutgoingMessage, Reply
from commands.router import Router

Feature = Callable[[Router], None]
START = datetime(2026, 11, 23, 9, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))


def choices_feature(router: Router) -> None:
    """A poll by DM and an acknowledgement action, so the adapter's choices (reactions,
    numbered replies) are tested apart from the real features."""

    async def ask(request: CommandRequest, ctx: Context) -> Reply | None:
        message = OutgoingMessage("**Hoe gaat het?**", choices=(
            Choice("test.vote", "good", "Goed"), Choice("test.vote", "bad", "Slecht")))
        await ctx.port.send_direct(request.user, message)
        return None

    async def vote(request: Interaction, ctx: Context) -> Reply | None:
        return Reply.text(f"Stem ontvangen: {request.value}")

    async def ack(request: Interaction, ctx: Context) -> Reply | None:
        return Reply.text(f"Bevestigd: {request.value}")

    router.command("testpoll", ask)
    router.interaction("test.vote", vote)
    router.interaction("test.ack", ack)


def default_features() -> tuple[Feature, ...]:
    """Every feature of the product plus ``choices_feature``."""
    from bots.app import FEATURES

    return (*FEATURES, choices_feature)


async def fan_out(app: Any, deliveries: Sequence[Delivery], *, batch: str) -> int:
    """Through the outbox, as features send; returns the number of rows sent."""
    await app.outbox.enqueue(deliveries, batch=batch)
    await app.outbox.drain()
    # The background dispatcher may hold some rows: wait for them too (bounded).
    for _ in range(200):
        report = await app.outbox.report(batch)
        if report.pending == 0:
            break
        await asyncio.sleep(0.05)
    return int(report.sent)


def adapter_of(app: Any) -> MatrixAdapter:
    """The Matrix adapter of a running app."""
    found = [a for a in app.adapters if isinstance(a, MatrixAdapter)]
    assert found, "matrix adapter not built"
    return found[0]

"""Run the Matrix adapter inside the real App when the whole core is there, else inside a
small app of our own (router + context + storage, sends straight through the port), so the
adapter's translation can be tested while the scheduler and outbox are still being built."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from bots.adapter import AdapterDeps
from bots.config import Config
from bots.matrix import MatrixAdapter, build_adapter
from commands.clock import FakeClock
from commands.context import Context, Services
from commands.delivery import Delivery
from commands.locale import LocaleResolver
from commands.metrics import Metrics
from commands.model import (
    Choice,
    CommandRequest,
    Interaction,
    OutgoingMessage,
    Reply,
    Request,
)
from commands.port import MultiPort
from commands.roles import Roles
from commands.router import Router
from storage.db import Database
from storage.preferences import PreferenceRepository
from storage.roles import RoleRepository
from storage.store import Store

Feature = Callable[[Router], None]
START = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def core_complete() -> bool:
    if os.environ.get("HARTSLAG_MATRIX_SMALL_APP"):
        return False  # debugging the adapter alone while the core is in flux
    try:
        import bots.app  # noqa: F401
    except ImportError:
        return False
    return True


class SmallApp:
    """Router, context and storage around the Matrix adapter; no scheduler, no outbox."""

    def __init__(self, config: Config, features: Sequence[Feature]) -> None:
        self.config = config
        self.db = Database(config.storage.url)
        self.store = Store(self.db)
        self.router = Router()
        for register in features:
            register(self.router)
        self.metrics = Metrics()
        self.clock = FakeClock(START)
        deps = AdapterDeps(store=self.store, clock=self.clock, metrics=self.metrics)
        self.adapters: list[MatrixAdapter] = [build_adapter(config.matrix, deps)]
        self.port = MultiPort({"matrix": self.adapters[0].port})
        self.locales = LocaleResolver(self.store.repo(PreferenceRepository))
        roles = Roles(self.store.repo(RoleRepository))
        self.services = Services(
            port=self.port, store=self.store, scheduler=None, delivery=None,  # type: ignore[arg-type]
            clock=self.clock, settings=config.settings_bag(), roles=roles,
            metrics=self.metrics, locales=self.locales,
        )

    async def handle(self, request: Request) -> Reply | None:
        locale = await self.locales.resolve(request.user, request.address, request.locale)
        ctx = Context(self.services, locale=locale, user=request.user, address=request.address)
        return await self.router.dispatch(request, ctx)

    async def start(self, *, serve_http: bool = False) -> None:
        for adapter in self.adapters:
            await adapter.start(self.handle)

    async def stop(self) -> None:
        for adapter in self.adapters:
            await adapter.stop()
        await self.db.dispose()


async def fan_out(app: Any, deliveries: Sequence[Delivery], *, batch: str) -> int:
    """Through the real outbox when there is one; else straight through the port with
    delivery ids, as the outbox would send them. Returns the number sent."""
    outbox = getattr(app, "outbox", None)
    if outbox is not None:
        await outbox.enqueue(deliveries, batch=batch)
        await outbox.drain()
        # The background dispatcher may hold some rows: wait for them too (bounded).
        for _ in range(200):
            report = await outbox.report(batch)
            if report.pending == 0:
                break
            await asyncio.sleep(0.05)
        return int(report.sent)
    for n, delivery in enumerate(deliveries):
        assert delivery.address is not None
        await app.port.send(delivery.address, delivery.message, delivery_id=f"{batch}-{n}")
    return len(deliveries)


def choices_feature(router: Router) -> None:
    """A tiny feature of the tests' own: a poll by DM and an acknowledgement action, so the
    adapter's choices (reactions, numbered replies) are tested apart from real features."""

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
    """Every feature of the product (when the core is complete) plus ``choices_feature``."""
    if core_complete():
        from bots.app import FEATURES

        return (*FEATURES, choices_feature)
    import commands.core

    return (commands.core.register, choices_feature)


def adapter_of(app: Any) -> MatrixAdapter:
    """The Matrix adapter of a running app."""
    found = [a for a in app.adapters if isinstance(a, MatrixAdapter)]
    assert found, "matrix adapter not built"
    return found[0]

"""An app with only core + wheres, a recording port for deliveries, and request helpers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

import commands.core
import commands.wheres
from commands.clock import FakeClock
from commands.model import (
    Address,
    CommandRequest,
    InboundMessage,
    Interaction,
    Reply,
    UserRef,
)
from tests.conftest import make_config
from tests.support.fake_port import FakeChatPort

SAMPLE_KB = Path(__file__).resolve().parents[2] / "docs" / "faq" / "sample-kb.yaml"
COMMS = UserRef("local", "carla", "Carla")
OWNER = UserRef("local", "olaf", "Olaf")
EMPLOYEE = UserRef("local", "eva", "Eva")
DM = Address("local", "w", "@bot")
CHANNEL = Address("local", "w", "#algemeen")


@dataclass
class Bot:
    """The app plus shortcuts that speak like the platforms do."""

    app: Any
    port: FakeChatPort
    clock: FakeClock

    async def command(self, user: UserRef, name: str, args: str = "") -> Reply | None:
        return await self.app.handle(CommandRequest(user, DM, name, args, is_direct=True))

    async def dm(self, user: UserRef, text: str) -> Reply | None:
        return await self.app.handle(InboundMessage(user, DM, text, is_direct=True))

    async def say(self, user: UserRef, text: str, *, mentioned: bool = False) -> Reply | None:
        return await self.app.handle(InboundMessage(user, CHANNEL, text, mentioned=mentioned))

    async def press(self, user: UserRef, action: str, value: str) -> Reply | None:
        return await self.app.handle(Interaction(user, DM, action, value))

    async def job(self, kind: str) -> None:
        await self.app.run_job(kind, {})
        await self.app.outbox.drain()

    def ctx(self) -> Any:
        return self.app.context()


def sample_text() -> str:
    return SAMPLE_KB.read_text(encoding="utf-8")


@pytest.fixture
async def bot(db_url: str, tmp_path: Path, clock: FakeClock) -> AsyncIterator[Bot]:
    from bots.app import App

    # The semantic layer has its own tests (test_semantic.py); here the lexical rules.
    config = make_config(db_url, tmp_path, roles={"comms": [COMMS.key]},
                         wheres={"digest_to": [COMMS.key], "embedding_model": "off"})
    app = App(config, clock=clock, adapters=[],
              features=(commands.core.register, commands.wheres.register))
    port = FakeChatPort()
    app.port.add("local", port)
    # Storage only (as the CLI opens it): no background scheduler or outbox loop racing the
    # test; jobs run when a test says so and deliveries go out on outbox.drain().
    await app.open_storage()
    try:
        yield Bot(app, port, clock)
    finally:
        await app.db.dispose()


async def load_sample(bot: Bot, *, owner: str = "") -> None:
    """Import the sample knowledge base the way the CLI does."""
    from commands.wheres.kbfile import parse_file
    from commands.wheres.knowledge import Knowledge

    parsed = parse_file("sample-kb.yaml", sample_text())
    knowledge = Knowledge()
    for entry in parsed.entries:
        await knowledge.put(bot.ctx(), replace(entry, owner=owner) if owner else entry)

"""Announcement fixtures: the real core with a recording FakeChatPort on "slack" (and the
local adapter through the shared ``app``/``chat`` fixtures)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bots.app import App
from commands.clock import FakeClock
from commands.model import Address, CommandRequest, Interaction, Reply, UserRef
from storage.announcements import AnnouncementRepository
from tests.conftest import make_config
from tests.support.fake_port import FakeChatPort

WS = "T1"
ANNA = UserRef("slack", "UANNA", "Anna", WS)
BRAM = UserRef("slack", "UBRAM", "Bram", WS)
KEES = UserRef("slack", "UKEES", "Kees", WS)  # no role
HERE = Address("slack", WS, "CCOMMS")


class Driver:
    """Talk to the core as people on the fake Slack; run time forward."""

    def __init__(self, app: App, port: FakeChatPort, clock: FakeClock) -> None:
        self.app, self.port, self.clock = app, port, clock

    async def command(self, args: str, *, user: UserRef = ANNA, where: Address = HERE) -> Reply:
        reply = await self.app.handle(CommandRequest(user, where, "announce", args))
        await self.app.outbox.drain()
        assert reply is not None
        return reply

    async def press(self, action: str, value: str, *, user: UserRef = ANNA,
                    where: Address = HERE) -> Reply:
        reply = await self.app.handle(Interaction(user, where, action, value))
        await self.app.outbox.drain()
        assert reply is not None
        return reply

    async def advance(self, delta: timedelta) -> None:
        end = self.clock.now() + delta
        while self.clock.now() < end:
            self.clock.set(min(end, self.clock.now() + timedelta(minutes=5)))
            await self.app.scheduler.run_due()
            await self.app.outbox.drain()

    def repo(self) -> AnnouncementRepository:
        return self.app.store.repo(AnnouncementRepository)

    def texts_to(self, target: UserRef | Address) -> list[str]:
        key = target.key if isinstance(target, UserRef) else str(target)
        return self.port.texts_to(key)


def slack(channel: str) -> Address:
    return Address("slack", WS, channel)


def members(*people: UserRef) -> list[UserRef]:
    return list(people)


async def quiet(application: App) -> None:
    """Stop the outbox's background dispatcher: only ``drain()`` sends, so what a test sees
    after an action does not depend on task timing (the dispatcher's in-flight sends are not
    awaited by ``drain()``)."""
    await application.outbox.stop()


@pytest.fixture
async def chat(app: App, clock: FakeClock) -> Any:
    """The shared chat driver, on a quiet outbox."""
    from tests.support.chat import ChatDriver

    await quiet(app)
    return ChatDriver(app, app.adapters[0], clock)  # type: ignore[arg-type]


@pytest.fixture
def fake_port() -> FakeChatPort:
    return FakeChatPort()


@pytest.fixture
async def fake(db_url: str, tmp_path: Path, clock: FakeClock,
               fake_port: FakeChatPort) -> AsyncIterator[Driver]:
    """The core on the fake Slack port; anna and bram are comms, kees has no role."""
    config = make_config(
        db_url, tmp_path,
        roles={"comms": ["slack:UANNA", "slack:UBRAM"], "admin": []},
        announcements={"workspaces": {"slack": WS}},
    )
    application = App(config, clock=clock, adapters=[])
    application.port.add("slack", fake_port)
    await application.start(serve_http=False)
    await quiet(application)
    try:
        yield Driver(application, fake_port, clock)
    finally:
        await application.stop()


def text_of(reply: Reply) -> str:
    assert reply.message is not None
    return reply.message.markdown


def choice_values(reply: Reply) -> list[tuple[str, str]]:
    assert reply.message is not None
    return [(c.action, c.value) for c in reply.message.choices]


async def only_id(driver: Driver) -> int:
    found: Any = await driver.repo().open(states=("draft", "pending", "scheduled", "paused",
                                                  "sent", "cancelled", "rejected"))
    assert len(found) == 1
    return int(found[0].id)

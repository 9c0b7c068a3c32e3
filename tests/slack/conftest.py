"""Fixtures for the Slack adapter: the fake Web API and the real app serving bolt over HTTP.

``slack_app`` is the lead's real ``App`` (storage, router with every feature, scheduler,
outbox) with only the Slack adapter enabled, its uvicorn server bound to a free port on
127.0.0.1, and the official SDK talking to :class:`FakeSlack`. A small demo feature adds a
button, a form and a slow DM so the adapter's mechanics can be tested apart from features.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from bots.app import FEATURES, App
from bots.config import Config
from commands.clock import FakeClock
from commands.context import Context
from commands.model import (
    Choice,
    CommandRequest,
    Form,
    FormField,
    FormSubmission,
    InboundMessage,
    Interaction,
    OutgoingMessage,
    Reply,
)
from commands.router import Router
from tests.conftest import make_config
from tests.slack.fake_slack import FakeSlack, free_port
from tests.slack.signed import SECRET, sign


class Demo:
    """Records what reached the router; ``hold`` makes a DM hang (a crash mid-processing)."""

    def __init__(self) -> None:
        self.seen: list[Any] = []
        self.hold = asyncio.Event()
        self.holding = False

    def register(self, router: Router) -> None:
        async def demo(request: CommandRequest, ctx: Context) -> Reply | None:
            self.seen.append(request)
            if request.args == "form":
                form = Form("demo.form", "Demo", (
                    FormField("title", "Titel", required=True),
                    FormField("kind", "Soort", kind="select",
                              options=(("a", "A"), ("b", "B"))),
                ), state="s-1")
                return Reply(OutgoingMessage("form fallback"), form=form)
            choices = (Choice("demo.vote", "1", "Een"), Choice("demo.vote", "2", "Twee"))
            return Reply(OutgoingMessage("Stem **nu**", choices=choices), private=False)

        async def vote(request: Interaction, ctx: Context) -> Reply | None:
            self.seen.append(request)
            return Reply(OutgoingMessage(f"Gestemd: {request.value}"), replace=True)

        async def submitted(request: FormSubmission, ctx: Context) -> Reply | None:
            self.seen.append(request)
            return Reply.text(f"Ontvangen: {request.values['title']}")

        async def dm(request: InboundMessage, ctx: Context) -> Reply | None:
            if not request.text.startswith("echo"):
                return None
            self.seen.append(request)
            if "hang" in request.text and self.holding:
                await self.hold.wait()
            return Reply.text(f"re: {request.text}")

        router.command("demo", demo)
        router.interaction("demo.vote", vote)
        router.form("demo.form", submitted)
        router.message(dm)


def slack_config(db_url: str, tmp_path: Path, base_url: str, **slack: Any) -> Config:
    return make_config(
        db_url, tmp_path,
        local={"enabled": False},
        server={"host": "127.0.0.1", "port": free_port()},
        roles={"admin": ["slack:U0ANNA"], "comms": ["slack:U0ANNA"], "triage": ["slack:U0TESS"],
               "managers": {"demo": ["slack:U0MILA"]}},
        slack={"enabled": True, "bot_token": "xoxb-test", "signing_secret": SECRET,
               "api_base_url": base_url, "rate_limit_retries": 1, **slack},
    )


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as slack:
        slack.add_user("U0ANNA", "Anna", locale="nl-NL")
        slack.add_user("U0ERIK", "Erik", locale="en-GB")
        slack.add_user("U0TESS", "Tess", locale="nl-NL")
        slack.add_user("U0MILA", "Mila", locale="nl-NL")
        yield slack


@pytest.fixture
def demo() -> Demo:
    return Demo()


class AppFactory:
    """Starts real apps on one database; several apps in a test simulate restarts."""

    def __init__(self, db_url: str, tmp_path: Path, fake: FakeSlack, clock: FakeClock,
                 demo: Demo) -> None:
        self._args = (db_url, tmp_path, fake.base_url)
        self._clock = clock
        self._demo = demo
        self.running: list[App] = []

    async def start(self, **slack: Any) -> App:
        config = slack_config(*self._args, **slack)
        # The demo goes first: its DM handler must see "echo ..." before the features do.
        app = App(config, clock=self._clock, features=(self._demo.register, *FEATURES))
        await app.start(serve_http=not config.slack.socket_mode)
        self.running.append(app)
        return app

    async def stop(self, app: App) -> None:
        """A stop that cancels work in flight (what a crash leaves behind)."""
        if app in self.running:
            self.running.remove(app)
            await app.stop()


@pytest.fixture
async def make_slack_app(
    db_url: str, tmp_path: Path, fake_slack: FakeSlack, clock: FakeClock, demo: Demo
) -> AsyncIterator[AppFactory]:
    factory = AppFactory(db_url, tmp_path, fake_slack, clock, demo)
    yield factory
    for app in reversed(list(factory.running)):
        await factory.stop(app)


@pytest.fixture
async def slack_app(make_slack_app: AppFactory) -> App:
    return await make_slack_app.start()


class SlackSender:
    """Posts signed requests to the app's /slack/events over real HTTP."""

    def __init__(self, app: App) -> None:
        assert app.server is not None
        self.url = f"http://127.0.0.1:{app.server.port}/slack/events"

    async def post(self, body: str, *, json_body: bool = False, retry: int | None = None,
                   headers: dict[str, str] | None = None, **sign_kwargs: Any) -> httpx.Response:
        content_type = "application/json" if json_body else "application/x-www-form-urlencoded"
        sent = sign(body, content_type=content_type, **sign_kwargs)
        if retry is not None:
            sent |= {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
        sent |= headers or {}
        async with httpx.AsyncClient(timeout=10) as client:
            return await client.post(self.url, content=body, headers=sent)


def slack_adapter(app: App) -> Any:
    return next(a for a in app.adapters if a.platform == "slack")

"""Fixtures for the Slack adapter: the fake Web API and the real app serving bolt over HTTP.

``slack_app`` is the lead's real ``App`` (storage, router with every feature, scheduler,
outbox) with only the Slack adapter enabled, its uvicorn server bound to a free port on
127.0.0.1, and the official SDK talking to :class:`FakeSlack`. A small demo feature adds a
button, a form and a slow DM so the adapter's mechanics can be tested apart from features.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
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
from tests.slack.fake_slack import FakeSlack
from tests.slack.signed import (
    SECRET,
    block_actions,
    dm,
    event,
    sign,
    slash_command,
    view_submission,
)


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


ROLES = {"admin": ["slack:U0ANNA"], "comms": ["slack:U0ANNA", "slack:U0BRAM"],
         "triage": ["slack:U0TESS"], "managers": {"demo": ["slack:U0MILA"]}}


def slack_config(db_url: str, tmp_path: Path, base_url: str, *,
                 sections: dict[str, Any] | None = None, **slack: Any) -> Config:
    values: dict[str, Any] = {"roles": ROLES, **(sections or {})}
    return make_config(
        db_url, tmp_path,
        local={"enabled": False},
        server={"host": "127.0.0.1", "port": 0},  # the OS picks; app.server.port tells
        slack={"enabled": True, "bot_token": "xoxb-test", "signing_secret": SECRET,
               "api_base_url": base_url, "rate_limit_retries": 1, **slack},
        **values,
    )


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as slack:
        slack.add_user("U0ANNA", "Anna", locale="nl-NL")
        slack.add_user("U0ERIK", "Erik", locale="en-GB")
        slack.add_user("U0TESS", "Tess", locale="nl-NL")
        slack.add_user("U0MILA", "Mila", locale="nl-NL")
        slack.add_user("U0BRAM", "Bram", locale="nl-NL")
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

    async def start(self, *, sections: dict[str, Any] | None = None, **slack: Any) -> App:
        config = slack_config(*self._args, sections=sections, **slack)
        # The demo goes first: its DM handler must see "echo ..." before the features do.
        app = App(config, clock=self._clock, features=(self._demo.register, *FEATURES))
        self.running.append(app)  # stopped at teardown even when start fails half-way
        await app.start(serve_http=not config.slack.socket_mode)
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


class SlackHarness:
    """A running app with the Slack adapter, for feature flows: signed requests in, the fake
    Web API's recorded calls out, and the outbox/scheduler driven like the Teams harness."""

    def __init__(self, app: App, fake: FakeSlack) -> None:
        self.app = app
        self.fake = fake
        self.adapter = slack_adapter(app)
        self.sender = SlackSender(app)
        self._hooks = 0

    def hook(self) -> str:
        """A fresh response_url, so each answer can be told apart."""
        self._hooks += 1
        return self.fake.response_url(f"h{self._hooks}")

    async def command(self, text: str, *, user: str = "U0ANNA", channel: str = "C0ALG",
                      trigger_id: str = "trig-1") -> str:
        """``/hartslag <text>``; returns the response_url hook name its answer goes to."""
        url = self.hook()
        body = slash_command(text, user=user, channel=channel, trigger_id=trigger_id,
                             response_url=url)
        response = await self.sender.post(body)
        assert response.status_code == 200, response.text
        await self.settle()
        return url.rsplit("/", 1)[1]

    def answers(self, hook: str) -> list[dict[str, Any]]:
        return [body for name, body in self.fake.responses if name == hook]

    async def press(self, button: dict[str, Any], *, user: str = "U0ANNA",
                    channel: str = "C0ALG", message_ts: str = "1700000000.000001",
                    trigger_id: str = "trig-2") -> str:
        url = self.hook()
        body = block_actions(button["action_id"], button["value"], user=user, channel=channel,
                             message_ts=message_ts, response_url=url, trigger_id=trigger_id)
        response = await self.sender.post(body)
        assert response.status_code == 200, response.text
        await self.settle()
        return url.rsplit("/", 1)[1]

    async def submit(self, view: dict[str, Any], values: dict[str, Any], *,
                     user: str = "U0ANNA") -> None:
        body = view_submission(view["callback_id"], values,
                               private_metadata=view["private_metadata"], user=user)
        response = await self.sender.post(body)
        assert response.status_code == 200, response.text
        await self.settle()

    async def dm(self, text: str, *, user: str = "U0ANNA", event_id: str = "") -> None:
        self._hooks += 1
        channel = "D" + user[1:]
        body = event(dm(text, user=user, channel=channel), event_id=event_id or f"Ev{self._hooks}")
        response = await self.sender.post(body, json_body=True)
        assert response.status_code == 200, response.text
        await self.settle()

    async def settle(self) -> None:
        await self.adapter.drain()

    async def settle_outbox(self) -> None:
        outbox = self.app.outbox
        for _ in range(500):
            await self.settle()
            handled = await outbox.drain()
            if handled == 0 and not outbox._inflight:
                return
            await asyncio.sleep(0.01)

    async def advance(self, delta: timedelta) -> None:
        clock = self.app.clock
        assert isinstance(clock, FakeClock)
        clock.set(clock.now() + delta)
        await self.app.scheduler.run_due()
        await self.settle_outbox()

    def posts(self, channel: str | None = None) -> list[Any]:
        return [c for c in self.fake.called("chat.postMessage")
                if channel is None or c.args["channel"] == channel]


def buttons(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for b in blocks if b.get("type") == "actions" for e in b["elements"]]


def button(blocks: list[dict[str, Any]], label: str) -> dict[str, Any]:
    found = [b for b in buttons(blocks) if b["text"]["text"] == label]
    assert found, f"no button {label!r} in {[b['text']['text'] for b in buttons(blocks)]}"
    return found[0]


def state_entry(element: dict[str, Any], value: str) -> dict[str, Any]:
    """The view_submission state of one modal element holding ``value``."""
    kind = element["type"]
    if kind == "static_select":
        return {"type": kind, "selected_option": {"value": value}}
    if kind == "multi_static_select":
        return {"type": kind, "selected_options": [{"value": v} for v in value.split(",") if v]}
    if kind == "checkboxes":
        return {"type": kind, "selected_options": [{"value": "true"}] if value == "true" else []}
    if kind == "datetimepicker":
        return {"type": kind, "selected_date_time": int(value) if value else None}
    return {"type": kind, "value": value}


def fill(view: dict[str, Any], **values: str) -> dict[str, Any]:
    """State values for a modal: every input block, ``values`` by field name, else empty."""
    return {b["block_id"]: state_entry(b["element"], values.get(b["block_id"], ""))
            for b in view["blocks"] if b["type"] == "input"}


@pytest.fixture
def slack_sections() -> dict[str, Any]:
    """Override in a test module for feature settings (pulse keys, announcements...)."""
    return {}


@pytest.fixture
async def slack(make_slack_app: AppFactory, fake_slack: FakeSlack,
                slack_sections: dict[str, Any]) -> SlackHarness:
    return SlackHarness(await make_slack_app.start(sections=slack_sections), fake_slack)

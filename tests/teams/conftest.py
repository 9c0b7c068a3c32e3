"""Teams fixtures: the real core + the real Teams SDK behind a real uvicorn on 127.0.0.1, a fake
Bot Connector (also the OpenID/JWKS issuer) in its own thread, and activity builders."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from bots.config import Config
from commands.clock import FakeClock
from commands.router import Router
from tests.conftest import make_config
from tests.teams.fake_connector import FakeConnector, Member, TokenIssuer

APP_ID = "00000000-0000-0000-0000-00000000b07"
BOT_ID = f"28:{APP_ID}"
TENANT = "tenant-1"
CHANNEL = "19:general@thread.tacv2"
TEAM = "19:team@thread.tacv2"
ANNA = Member("29:anna", "aad-anna", "Anna de Vries")
BRAM = Member("29:bram", "aad-bram", "Bram Jansen")
TESS = Member("29:tess", "aad-tess", "Tess Bakker")
MILA = Member("29:mila", "aad-mila", "Mila Visser")


@pytest.fixture(scope="session")
def issuer() -> TokenIssuer:
    return TokenIssuer()


@pytest.fixture(scope="session")
def connector_session(issuer: TokenIssuer) -> Iterator[FakeConnector]:
    with FakeConnector.running(issuer) as fake:
        yield fake


@pytest.fixture
def connector(connector_session: FakeConnector) -> Iterator[FakeConnector]:
    connector_session.clear()
    connector_session.members.clear()
    yield connector_session
    connector_session.clear()


_ids = itertools.count(1)


@dataclass
class Activities:
    """Builds Teams activities as the Bot Connector sends them (camelCase JSON)."""

    service_url: str
    locale: str = "nl-NL"

    def _base(self, kind: str, conversation: dict[str, Any], sender: Member,
              **extra: Any) -> dict[str, Any]:
        return {
            "type": kind, "id": f"in-{next(_ids)}", "timestamp": "2026-11-23T08:00:00.000Z",
            "serviceUrl": self.service_url, "channelId": "msteams",
            "from": {"id": sender.id, "name": sender.name, "aadObjectId": sender.aad_object_id},
            "conversation": {"tenantId": TENANT, **conversation},
            "recipient": {"id": BOT_ID, "name": "hartslag"},
            "channelData": {"tenant": {"id": TENANT}}, "locale": self.locale, **extra,
        }

    def personal(self, text: str, sender: Member = ANNA, **extra: Any) -> dict[str, Any]:
        conversation = {"id": f"a:dm-{sender.aad_object_id}", "conversationType": "personal"}
        return self._base("message", conversation, sender, text=text, textFormat="plain", **extra)

    def channel(self, text: str, sender: Member = ANNA, *, mention: bool = True,
                thread: str | None = None, **extra: Any) -> dict[str, Any]:
        conv_id = f"{CHANNEL};messageid={thread}" if thread else CHANNEL
        conversation = {"id": conv_id, "conversationType": "channel", "isGroup": True}
        at = "<at>hartslag</at>"
        entities = [{"type": "mention", "text": at,
                     "mentioned": {"id": BOT_ID, "name": "hartslag"}}] if mention else []
        body = f"{at} {text}" if mention else text
        activity = self._base("message", conversation, sender, text=body, entities=entities,
                              **extra)
        activity["channelData"] |= {"team": {"id": TEAM}, "channel": {"id": CHANNEL}}
        return activity

    def installed_in_team(self, sender: Member = ANNA,
                          members: Sequence[Member] = ()) -> dict[str, Any]:
        conversation = {"id": CHANNEL, "conversationType": "channel", "isGroup": True}
        added = [{"id": BOT_ID}] + [{"id": m.id, "aadObjectId": m.aad_object_id} for m in members]
        activity = self._base("conversationUpdate", conversation, sender, membersAdded=added)
        activity["channelData"] |= {"team": {"id": TEAM}, "eventType": "teamMemberAdded"}
        return activity

    def installed_personal(self, sender: Member = ANNA, action: str = "add") -> dict[str, Any]:
        conversation = {"id": f"a:dm-{sender.aad_object_id}", "conversationType": "personal"}
        return self._base("installationUpdate", conversation, sender, action=action)

    def submit(self, data: dict[str, Any], *, card_id: str, sender: Member = ANNA,
               personal: bool = False) -> dict[str, Any]:
        """``Action.Submit``: a message activity with ``value`` and no text."""
        activity = self.personal("", sender) if personal else self.channel("", sender,
                                                                             mention=False)
        activity.pop("text", None)
        activity.pop("entities", None)
        activity["value"] = data
        activity["replyToId"] = card_id
        return activity

    def execute(self, verb: str, data: dict[str, Any], *, card_id: str,
                sender: Member = ANNA) -> dict[str, Any]:
        """``Action.Execute``: an ``adaptiveCard/action`` invoke."""
        conversation = {"id": CHANNEL, "conversationType": "channel", "isGroup": True}
        value = {"action": {"type": "Action.Execute", "verb": verb, "data": data},
                 "trigger": "manual"}
        return self._base("invoke", conversation, sender, name="adaptiveCard/action",
                          value=value, replyToId=card_id)


@dataclass
class TeamsHarness:
    """The running app with the Teams adapter; ``post`` sends an activity over real HTTP."""

    app: Any
    adapter: Any
    connector: FakeConnector
    issuer: TokenIssuer
    url: str
    activities: Activities
    http: httpx.AsyncClient
    extra: dict[str, Any] = field(default_factory=dict)

    def token(self, **kwargs: Any) -> str:
        kwargs.setdefault("audience", APP_ID)
        kwargs.setdefault("service_url", self.connector.service_url)
        return self.issuer.token(**kwargs)

    async def post(self, activity: dict[str, Any], *, token: str | None = "valid",
                   authorization: str | None = None) -> httpx.Response:
        headers: dict[str, str] = {}
        if authorization is not None:
            headers["Authorization"] = authorization
        elif token == "valid":
            headers["Authorization"] = f"Bearer {self.token()}"
        elif token is not None:
            headers["Authorization"] = f"Bearer {token}"
        return await self.http.post(f"{self.url}/api/messages", json=activity, headers=headers)

    async def settle(self) -> None:
        """Wait for the adapter's background work on posted messages (bounded)."""
        import asyncio

        for _ in range(500):
            if not self.adapter._tasks:
                return
            await asyncio.sleep(0.01)


    async def settle_outbox(self) -> None:
        """Let the delivery engine finish what is due now, without moving the clock: its
        background dispatcher may still be sending over HTTP, and a clock jump would expire
        those leases (a test artifact; in production leases are renewed)."""
        import asyncio

        outbox = self.app.outbox
        for _ in range(500):
            await self.settle()
            handled = await outbox.drain()
            if handled == 0 and not outbox._inflight:
                return
            await asyncio.sleep(0.01)

    async def advance(self, delta: timedelta) -> None:
        """Move the fake clock, run what fell due, and wait for the deliveries."""
        clock = self.app.clock
        clock.set(clock.now() + delta)
        await self.app.scheduler.run_due()
        await self.settle_outbox()


Feature = Callable[[Router], None]


async def start_harness(
    *, db_url: str, tmp_path: Path, clock: FakeClock, connector: FakeConnector,
    issuer: TokenIssuer, teams: dict[str, Any] | None = None,
    features: Sequence[Feature] = (), server_host: str = "127.0.0.1",
    sections: dict[str, Any] | None = None,
) -> TeamsHarness:
    from bots.adapter import AdapterDeps
    from bots.app import FEATURES, App
    from bots.teams.adapter import TeamsAdapter
    from bots.teams.retry import RetryPolicy

    teams_section = {"enabled": True, "app_id": APP_ID, "app_password": "not-used-in-tests",
                     "tenant_id": TENANT, **(teams or {})}
    config: Config = make_config(db_url, tmp_path, server={"port": 0, "host": server_host},
                                 teams=teams_section, **(sections or {}))
    application = App(config, clock=clock, adapters=[], features=(*FEATURES, *features))
    deps = AdapterDeps(store=application.store, clock=clock, metrics=application.metrics,
                       server_host=server_host, default_locale=config.locale.default)

    def outbound_token(scope: str | list[str], tenant_id: str | None) -> str:
        return issuer.token(audience="https://api.botframework.com")

    adapter = TeamsAdapter(config.teams, deps, cloud=connector.cloud(), token=outbound_token,
                           retry=RetryPolicy(attempts=4, base=0.01, cap=0.5))
    application.adapters.append(adapter)
    application.port.add("teams", adapter.port)
    await application.start(serve_http=True)
    assert application.server is not None
    url = f"http://127.0.0.1:{application.server.port}"
    return TeamsHarness(application, adapter, connector, issuer, url,
                        Activities(connector.service_url), httpx.AsyncClient(timeout=10))


@pytest.fixture
def harness_features() -> Sequence[Feature]:
    """Override in a test module to add feature registrations."""
    return ()


@pytest.fixture
def harness_sections() -> dict[str, Any]:
    """Override in a test module to add config sections (roles, feature settings)."""
    return {"roles": {"admin": [ANNA.key], "comms": [ANNA.key, BRAM.key],
                      "triage": [TESS.key], "managers": {"demo": [MILA.key]}}}


@pytest.fixture
async def teams(db_url: str, tmp_path: Path, clock: FakeClock, connector: FakeConnector,
                issuer: TokenIssuer, harness_features: Sequence[Feature],
                harness_sections: dict[str, Any]) -> AsyncIterator[TeamsHarness]:
    harness = await start_harness(db_url=db_url, tmp_path=tmp_path, clock=clock,
                                  connector=connector, issuer=issuer, features=harness_features,
                                  sections=harness_sections)
    try:
        yield harness
    finally:
        await harness.http.aclose()
        await harness.app.stop()

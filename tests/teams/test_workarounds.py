"""bots/teams/workarounds.py against the installed Teams SDK and httpx: the attributes each
workaround touches still exist, and each still takes effect. A failure here after upgrading
microsoft-teams-apps (or httpx, httpx-aiohttp) means a workaround broke: read its docstring
before raising the bound in pyproject.toml."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import jwt
import pytest
from httpx_aiohttp import HttpxAiohttpClient
from microsoft_teams.api import ClientCredentials, InvokeResponse
from microsoft_teams.apps import ActivityEvent, HttpServer
from microsoft_teams.common import Client, ClientOptions

from bots.teams import workarounds
from bots.teams.endpoint import RouteAdapter
from tests.support.bounds import bound_problems
from tests.teams.conftest import Activities

ACTIVITY = Activities(service_url="http://127.0.0.1:9/").personal("hallo")
# Read unverified after our stand-in validator accepted it, so any well-formed JWT does.
TOKEN = jwt.encode({"aud": "app-id", "serviceurl": "http://127.0.0.1:9/"}, "k" * 32,
                   algorithm="HS256")
HEADERS = {"authorization": f"Bearer {TOKEN}"}


def test_the_sdks_are_bounded_to_the_versions_the_workarounds_were_checked_on() -> None:
    assert bound_problems(workarounds.CHECKED) == []


def validating_server() -> HttpServer:
    """The SDK's server as ``App.initialize`` sets it up with credentials."""
    server = HttpServer(RouteAdapter())
    server.initialize(credentials=ClientCredentials(client_id="app-id", client_secret="s"))
    return server


class Validator:
    """Stands in for the SDK's validator: records the thread, accepts or refuses."""

    def __init__(self, *, accept: bool = True) -> None:
        self.threads: list[int] = []
        self.accept = accept

    async def validate_token(self, raw_token: str, service_url: str | None = None) -> None:
        self.threads.append(threading.get_ident())
        if not self.accept:
            raise ValueError("bad token")


def test_the_sdk_still_keeps_its_validator_where_we_wrap_it() -> None:
    server = validating_server()
    assert vars(server).get("_token_validator") is not None
    assert workarounds.validate_tokens_in_thread(server) is True
    assert isinstance(server._token_validator, workarounds.ThreadedTokenValidator)
    assert workarounds.validate_tokens_in_thread(server) is False  # never wrapped twice


async def test_tokens_are_validated_off_the_event_loop() -> None:
    server = validating_server()
    inner = Validator()
    server._token_validator = inner  # type: ignore[assignment]
    workarounds.validate_tokens_in_thread(server)
    seen: list[ActivityEvent] = []

    async def turn(event: ActivityEvent) -> InvokeResponse[Any]:
        seen.append(event)
        return InvokeResponse[Any](status=200)

    server.on_request = turn
    answer = await server.handle_request({"body": ACTIVITY,
                                          "headers": HEADERS})
    assert answer["status"] == 200 and len(seen) == 1
    assert inner.threads and inner.threads[0] != threading.get_ident()


async def test_intercepted_turns_come_after_validation_and_keep_the_sdk_turn() -> None:
    server = validating_server()
    refusing = Validator(accept=False)
    server._token_validator = refusing  # type: ignore[assignment]
    calls: list[str] = []

    async def sdk_turn(event: ActivityEvent) -> InvokeResponse[Any]:
        calls.append("sdk")
        return InvokeResponse[Any](status=200)

    async def ours(event: ActivityEvent) -> InvokeResponse[Any]:
        calls.append("ours")
        return await original(event)

    server.on_request = sdk_turn
    original = workarounds.intercept_turns(server, ours)
    assert original is sdk_turn
    refused = await server.handle_request({"body": ACTIVITY,
                                           "headers": HEADERS})
    assert refused["status"] == 401 and calls == []  # no turn before a valid token
    refusing.accept = True
    await server.handle_request({"body": ACTIVITY, "headers": HEADERS})
    assert calls == ["ours", "sdk"]


def test_intercepting_before_initialize_is_refused() -> None:
    async def ours(event: ActivityEvent) -> InvokeResponse[Any]:
        return InvokeResponse[Any](status=200)

    with pytest.raises(RuntimeError, match="no turn handler"):
        workarounds.intercept_turns(HttpServer(RouteAdapter()), ours)


@pytest.fixture
def httpx_logger() -> Iterator[logging.Logger]:
    """The ``httpx`` logger, restored afterwards (the workaround changes it process-wide)."""
    found = logging.getLogger("httpx")
    level, filters = found.level, list(found.filters)
    patched = found.__dict__.pop("setLevel", None)
    yield found
    found.__dict__.pop("setLevel", None)
    if patched is not None:
        found.setLevel = patched  # type: ignore[method-assign]
    found.filters[:] = filters
    found.setLevel(level)


class Cleared:
    """Counts ``logging``'s cache clears (what each ``Logger.setLevel`` costs)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        manager: Any = logging.Logger.manager
        real = manager._clear_cache

        def counting() -> None:
            self.count += 1
            real()

        monkeypatch.setattr(manager, "_clear_cache", counting)


def test_the_sdk_still_sets_the_httpx_level_per_client(
        httpx_logger: logging.Logger, monkeypatch: pytest.MonkeyPatch) -> None:
    """The control: without the workaround every SDK client clears every logger's cache."""
    cleared = Cleared(monkeypatch)
    Client(ClientOptions())
    assert cleared.count == 1


def test_steady_level_makes_sdk_clients_skip_the_cache_clear(
        httpx_logger: logging.Logger, monkeypatch: pytest.MonkeyPatch) -> None:
    workarounds.quiet_sdk_logs()
    Client(ClientOptions())  # the first one may change the level once
    cleared = Cleared(monkeypatch)
    for _ in range(3):
        Client(ClientOptions())
    assert cleared.count == 0


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


async def test_request_urls_stay_out_of_the_logs_whatever_level_the_sdk_sets(
        httpx_logger: logging.Logger) -> None:
    """httpx must still log through the ``httpx`` logger itself: a logger's filter does not
    apply to records of its children."""
    workarounds.quiet_sdk_logs()
    httpx_logger.setLevel(logging.DEBUG)  # what the SDK may set
    records = Records()
    logging.getLogger().addHandler(records)
    transport = httpx.MockTransport(lambda request: httpx.Response(201))
    try:
        async with httpx.AsyncClient(transport=transport) as http:
            await http.post("http://127.0.0.1:9/v3/conversations/a:dm-anna/activities")
    finally:
        logging.getLogger().removeHandler(records)
    assert [r for r in records.records if r.name.startswith("httpx")] == []
    httpx_logger.removeFilter(workarounds.WARNINGS_ONLY)
    seen = Records()
    httpx_logger.addHandler(seen)
    try:
        async with httpx.AsyncClient(transport=transport) as http:
            await http.post("http://127.0.0.1:9/v3/conversations/a:dm-anna/activities")
    finally:
        httpx_logger.removeHandler(seen)
    assert [r.name for r in seen.records] == ["httpx"]  # the control: it would be logged


async def test_aiohttp_carries_the_sdk_client_and_its_clones() -> None:
    client = Client(ClientOptions(headers={"User-Agent": "teams-sdk"}, timeout=7.0))
    new = workarounds.aiohttp_under(client)
    try:
        assert isinstance(new, HttpxAiohttpClient) and client.http is new
        assert new.headers["User-Agent"] == "teams-sdk" and new.timeout.read == 7.0
        assert client.clone(share_http=True).http is new
        sent: list[str] = []

        async def request(method: str, url: Any, **kwargs: Any) -> httpx.Response:
            sent.append(f"{method} {url}")
            return httpx.Response(200, json={}, request=httpx.Request(method, url))

        new.request = request  # type: ignore[method-assign]
        await client.get("http://127.0.0.1:9/v3/conversations")
        assert sent == ["GET http://127.0.0.1:9/v3/conversations"]  # read per request
    finally:
        await new.aclose()

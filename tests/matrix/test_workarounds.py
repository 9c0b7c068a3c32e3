"""bots/matrix/workarounds.py against the installed matrix-nio: what each workaround relies on
still holds, and each still takes effect (no homeserver needed: a local aiohttp server
stands in where one is). A failure here after upgrading matrix-nio means a workaround broke:
read its docstring before raising the bound in pyproject.toml."""

from __future__ import annotations

import importlib
import logging
import pkgutil
from collections.abc import Iterator, Mapping
from typing import Any

import nio
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from nio import AsyncClient, SyncResponse, ToDeviceEvent, UnknownToDeviceEvent, WhoamiResponse

from bots.matrix import workarounds
from bots.matrix.unreadable import WITHHELD
from tests.support.bounds import bound_problems

WITHHELD_EVENT = {"type": WITHHELD, "sender": "@anna:example.org",
                  "content": {"code": "m.unverified", "session_id": "S1", "room_id": "!r:x",
                              "algorithm": "m.megolm.v1.aes-sha2", "sender_key": "k"}}


def test_the_sdks_are_bounded_to_the_versions_the_workarounds_were_checked_on() -> None:
    assert bound_problems(workarounds.CHECKED) == []


@pytest.fixture
def nio_logger() -> Iterator[logging.Logger]:
    found = logging.getLogger("nio")
    level = found.level
    found.setLevel(logging.NOTSET)
    yield found
    found.setLevel(level)


def test_every_nio_module_logs_under_the_nio_logger(nio_logger: logging.Logger) -> None:
    names = []
    for module in pkgutil.walk_packages(nio.__path__, "nio."):
        loaded = importlib.import_module(module.name)
        logger = vars(loaded).get("logger")
        if isinstance(logger, logging.Logger):
            names.append(logger.name)
    assert names and all(name.startswith("nio.") for name in names), names
    workarounds.quiet_nio_logs()
    for name in names:
        assert not logging.getLogger(name).isEnabledFor(logging.WARNING), name
        assert logging.getLogger(name).isEnabledFor(logging.ERROR), name


def test_nio_event_validation_errors_lose_the_quoted_event(
        caplog: pytest.LogCaptureFixture) -> None:
    """An invite event nio refuses: nio logs the validation error, which quotes the event;
    the line must stay (operators see events were refused) without the user id in it."""
    from nio.events.invite_events import InviteEvent

    workarounds.quiet_nio_logs()
    workarounds.quiet_nio_logs()  # idempotent: one filter, however often it runs
    # jsonschema quotes the value it refused: here a field holding a user id.
    bad = {"type": ["@geheim-persoon:example.org"], "sender": "@a:example.org", "content": {}}
    with caplog.at_level(logging.ERROR, logger="nio"):
        assert InviteEvent.parse_event(bad) is None
    lines = [r.getMessage() for r in caplog.records if r.name == workarounds.NIO_VALIDATION_LOGGER]
    assert lines == [f"{workarounds.NIO_VALIDATION_PREFIX} (details withheld)"]
    assert "geheim-persoon" not in caplog.text


def test_without_the_filter_nio_quotes_the_refused_value(
        caplog: pytest.LogCaptureFixture) -> None:
    """The control: the leak the filter prevents (if nio stops quoting, the need is gone)."""
    from nio.events.invite_events import InviteEvent

    validation = logging.getLogger(workarounds.NIO_VALIDATION_LOGGER)
    kept = list(validation.filters)
    for found in kept:
        validation.removeFilter(found)
    try:
        with caplog.at_level(logging.ERROR, logger="nio"):
            InviteEvent.parse_event({"type": ["@geheim-persoon:example.org"],
                                     "sender": "@a:example.org", "content": {}})
    finally:
        for found in kept:
            validation.addFilter(found)
    assert "geheim-persoon" in caplog.text


def test_withheld_keys_still_arrive_as_unknown_to_device_events() -> None:
    assert isinstance(ToDeviceEvent.parse_event(WITHHELD_EVENT), UnknownToDeviceEvent)


async def test_withheld_notices_reach_the_recorder_through_a_sync() -> None:
    client = AsyncClient("http://127.0.0.1:9", "@bot:example.org")
    seen: list[Mapping[str, Any]] = []
    workarounds.on_room_key_withheld(client, seen.append)
    other = dict(WITHHELD_EVENT, type="m.something.else")
    sync = SyncResponse.from_dict({"next_batch": "s1", "to_device": {
        "events": [other, WITHHELD_EVENT]}})
    assert isinstance(sync, SyncResponse)
    await client.receive_response(sync)
    await client.close()
    assert seen == [WITHHELD_EVENT["content"]]


async def test_raw_calls_use_nios_session_with_the_access_token() -> None:
    seen: list[tuple[str, str, str | None, Any]] = []

    async def whoami(request: web.Request) -> web.Response:
        return web.json_response({"user_id": "@bot:example.org", "device_id": "D1"})

    async def relations(request: web.Request) -> web.Response:
        seen.append((request.method, request.path_qs, request.headers.get("Authorization"),
                     None))
        return web.json_response({"chunk": [{}, {}]}, headers={"Retry-After": "3"})

    async def upload(request: web.Request) -> web.Response:
        seen.append((request.method, request.path, request.headers.get("Authorization"),
                     await request.json()))
        return web.json_response({"errcode": "M_FORBIDDEN"}, status=403)

    app = web.Application()
    app.router.add_get("/_matrix/client/v3/account/whoami", whoami)
    app.router.add_get("/_matrix/client/v1/rooms/r/relations/e/m.annotation", relations)
    app.router.add_post("/_matrix/client/v3/keys/signatures/upload", upload)
    async with TestServer(app, host="127.0.0.1") as server:
        client = AsyncClient(str(server.make_url("")).rstrip("/"), "@bot:example.org")
        client.access_token = "secret-token"
        try:
            # nio opens its session on its first own request (login, sync, whoami).
            assert isinstance(await client.whoami(), WhoamiResponse)
            got = await workarounds.raw_call(
                client, "GET", "/_matrix/client/v1/rooms/r/relations/e/m.annotation?limit=100")
            refused = await workarounds.raw_call(
                client, "POST", "/_matrix/client/v3/keys/signatures/upload", {"a": 1})
        finally:
            await client.close()
    assert got == workarounds.RawAnswer(200, {"chunk": [{}, {}]}, "3")
    assert refused.status == 403 and refused.body == {"errcode": "M_FORBIDDEN"}
    assert seen == [
        ("GET", "/_matrix/client/v1/rooms/r/relations/e/m.annotation?limit=100",
         "Bearer secret-token", None),
        ("POST", "/_matrix/client/v3/keys/signatures/upload", "Bearer secret-token", {"a": 1}),
    ]

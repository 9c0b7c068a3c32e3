"""Inbound token validation in production mode, with the SDK's own validator against local
OpenID metadata and JWKS: only a valid Bot Framework token gets through, and a rejected
request leaves no trace (no reply, no stored reference, no claimed event)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select

from commands.clock import FakeClock
from storage.events import ProcessedEvent
from storage.teams import TeamsReferenceRepository
from tests.conftest import START
from tests.teams.conftest import APP_ID, TeamsHarness, start_harness
from tests.teams.fake_connector import FakeConnector, TokenIssuer


async def _no_side_effect(teams: TeamsHarness) -> None:
    await teams.settle()
    assert teams.connector.sent() == []
    refs = teams.app.store.repo(TeamsReferenceRepository)
    assert await refs.conversation("a:dm-aad-anna") is None
    assert await refs.user("aad-anna") is None
    async with teams.app.db.session(readonly=True) as session:
        assert (await session.exec(select(ProcessedEvent))).all() == []


async def test_valid_token_is_served(teams: TeamsHarness) -> None:
    response = await teams.post(teams.activities.personal("help"))
    assert response.status_code == 200
    calls = await teams.connector.wait_for(lambda c: len(c) >= 1)
    assert len(calls) == 1
    assert calls[0].headers["authorization"].startswith("Bearer ")
    assert teams.connector.jwks_fetches >= 1  # the SDK really fetched our keys


def _other_key_same_kid() -> str:
    return TokenIssuer().token(audience=APP_ID)  # same kid "test-key-1", another RSA key


@pytest.mark.parametrize(
    ("case", "header"),
    [
        ("missing", None),
        ("not bearer", "Basic YWxhZGRpbjpvcGVuc2VzYW1l"),
        ("malformed", "Bearer not-a-jwt"),
        ("garbage segments", "Bearer aaa.bbb.ccc"),
    ],
)
async def test_missing_or_malformed_token_rejected(teams: TeamsHarness, case: str,
                                                   header: str | None) -> None:
    response = await teams.post(teams.activities.personal("help"), token=None,
                                authorization=header)
    assert response.status_code == 401, case
    await _no_side_effect(teams)


@pytest.mark.parametrize("case", ["expired", "wrong audience", "wrong issuer", "foreign key",
                                  "wrong service url", "unknown kid"])
async def test_invalid_token_rejected(teams: TeamsHarness, case: str) -> None:
    token = {
        # Beyond the SDK's 5 minute clock-skew leeway.
        "expired": lambda: teams.token(issued_ago=7200, expires_in=3600),
        "wrong audience": lambda: teams.token(audience="someone-elses-bot"),
        "wrong issuer": lambda: teams.token(issuer="https://evil.example"),
        "foreign key": _other_key_same_kid,
        "wrong service url": lambda: teams.token(service_url="https://elsewhere.example/"),
        "unknown kid": lambda: teams.token(kid="not-published"),
    }[case]()
    response = await teams.post(teams.activities.personal("help"), token=token)
    assert response.status_code == 401, case
    await _no_side_effect(teams)


async def test_dev_switch_accepts_unsigned_on_loopback(
    db_url: str, tmp_path: Path, clock: FakeClock, connector: FakeConnector, issuer: TokenIssuer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    harness = await start_harness(db_url=db_url, tmp_path=tmp_path, clock=clock,
                                  connector=connector, issuer=issuer,
                                  teams={"dangerously_skip_auth": True, "app_password": ""})
    try:
        assert any("TOKEN VALIDATION IS OFF" in r.getMessage() for r in caplog.records)
        response = await harness.post(harness.activities.personal("help"), token=None)
        assert response.status_code == 200
        calls = await connector.wait_for(lambda c: len(c) >= 1)
        assert len(calls) == 1
    finally:
        await harness.http.aclose()
        await harness.app.stop()


def test_dev_switch_refused_off_loopback() -> None:
    from bots.config import ConfigError, parse_config

    teams = {"enabled": True, "app_id": APP_ID, "dangerously_skip_auth": True}
    with pytest.raises(ConfigError, match=r"teams\.dangerously_skip_auth"):
        parse_config({"server": {"host": "10.0.0.5"}, "teams": teams}, env={})
    assert parse_config({"teams": teams}, env={}).teams.dangerously_skip_auth


def test_adapter_refuses_dev_switch_off_loopback() -> None:
    from bots.adapter import AdapterDeps
    from bots.teams.adapter import TeamsAdapter
    from bots.teams.settings import TeamsSettings
    from commands.metrics import Metrics
    from storage.db import Database
    from storage.store import Store

    settings = TeamsSettings(enabled=True, app_id=APP_ID, dangerously_skip_auth=True)
    deps = AdapterDeps(store=Store(Database("sqlite:///:memory:")), clock=FakeClock(START),
                       metrics=Metrics(), server_host="0.0.0.0")
    with pytest.raises(ValueError, match="loopback"):
        TeamsAdapter(settings, deps)


def test_sdk_env_switch_cannot_disable_validation(monkeypatch: pytest.MonkeyPatch) -> None:
    from bots.adapter import AdapterDeps
    from bots.teams.adapter import TeamsAdapter
    from bots.teams.settings import TeamsSettings
    from commands.metrics import Metrics
    from storage.db import Database
    from storage.store import Store

    monkeypatch.setenv("DANGEROUSLY_ALLOW_UNAUTHENTICATED_REQUESTS", "true")
    settings = TeamsSettings(enabled=True, app_id=APP_ID, app_password="x")
    deps = AdapterDeps(store=Store(Database("sqlite:///:memory:")), clock=FakeClock(START),
                       metrics=Metrics())
    adapter = TeamsAdapter(settings, deps)
    assert adapter.app.options.dangerously_allow_unauthenticated_requests is False

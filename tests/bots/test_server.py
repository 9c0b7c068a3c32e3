"""/healthz and /metrics on the one HTTP server, and the local chat over HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from bots.app import App
from bots.config import ConfigError
from bots.local.adapter import LocalAdapter
from commands.clock import FakeClock
from tests.conftest import make_config


class BrokenAdapter:
    platform = "slack"

    def __init__(self, inner: LocalAdapter) -> None:
        self._inner = inner

    @property
    def port(self) -> Any:
        return self._inner.port

    def routes(self) -> list[Any]:
        return []

    async def start(self, sink: Any) -> None:
        return None

    async def stop(self) -> None:
        return None

    def health(self) -> str | None:
        return "not connected"


@pytest.fixture
async def served(db_url: str, tmp_path: Path, clock: FakeClock) -> AsyncIterator[tuple[App, str]]:
    config = make_config(db_url, tmp_path, server={"host": "127.0.0.1", "port": 0})
    app = App(config, clock=clock, adapters=[LocalAdapter(config.local)])
    await app.start()
    assert app.server is not None
    try:
        yield app, f"http://127.0.0.1:{app.server.port}"
    finally:
        await app.stop()


async def test_healthz_metrics_and_local_http(served: tuple[App, str]) -> None:
    _, base = served
    async with httpx.AsyncClient(base_url=base, timeout=10) as client:
        health = await client.get("/healthz")
        assert health.status_code == 200 and health.json() == {"status": "ok"}
        said = await client.post("/local/say", json={"user": "joost", "place": "@joost",
                                                     "text": "help"})
        assert said.status_code == 200
        texts = [m["text"] for m in said.json()["messages"]]
        assert any("wat je hier kunt doen" in t for t in texts)
        bad = await client.post("/local/say", json={"user": "joost"})
        assert bad.status_code == 400 and "user, place and text" in bad.json()["error"]
        metrics = (await client.get("/metrics")).text
        assert 'hartslag_commands_total{name="help"} 1.0' in metrics
        assert 'hartslag_events_total{kind="InboundMessage",platform="local"} 1.0' in metrics
        assert "hartslag_event_loop_lag_seconds_bucket" in metrics
        assert "joost" not in metrics


async def test_healthz_503_names_the_broken_part(db_url: str, tmp_path: Path, clock: FakeClock) -> None:
    config = make_config(db_url, tmp_path, server={"host": "127.0.0.1", "port": 0})
    app = App(config, clock=clock, adapters=[BrokenAdapter(LocalAdapter(config.local))])
    await app.start()
    try:
        assert app.server is not None
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{app.server.port}") as client:
            health = await client.get("/healthz")
        assert health.status_code == 503
        assert health.json()["problems"] == ["slack: not connected"]
    finally:
        await app.stop()


def test_hartslag_run_starts_on_the_embedded_defaults_and_stops_on_sigterm(tmp_path: Path) -> None:
    import os
    import re
    import signal
    import subprocess
    import sys
    import time

    env = {k: v for k, v in os.environ.items() if not k.startswith("HARTSLAG_")}
    env["HARTSLAG_SERVER_PORT"] = "0"
    proc = subprocess.Popen([sys.executable, "-m", "bots.cli", "run"], cwd=tmp_path, env=env,
                            stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stderr is not None
        port = None
        deadline = time.monotonic() + 60
        while port is None and time.monotonic() < deadline:
            line = proc.stderr.readline()
            if not line:
                break
            found = re.search(r"hartslag runs on http://127\.0\.0\.1:(\d+) with local", line)
            port = int(found.group(1)) if found else None
        assert port, "hartslag run did not report its address"
        health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=10)
        assert health.status_code == 200
        assert (tmp_path / "hartslag.db").exists()
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0


class FailingAdapter(BrokenAdapter):
    platform = "matrix"

    def __init__(self, inner: Any, error: Exception) -> None:
        super().__init__(inner)
        self.error = error

    async def start(self, sink: Any) -> None:
        raise self.error

    def health(self) -> str | None:
        return None


@pytest.mark.parametrize(("error", "shown"), [
    # /healthz is public: an exception's message stays out (it could quote anything)...
    (ConnectionError("homeserver unreachable"), "ConnectionError"),
    # ...but a ConfigError is ours, written for the operator, and says what to fix.
    (ConfigError("matrix.access_token: rejected by the homeserver"),
     "ConfigError: matrix.access_token: rejected by the homeserver"),
])
async def test_an_adapter_that_cannot_start_does_not_stop_the_others(
    db_url: str, tmp_path: Path, clock: FakeClock, error: Exception, shown: str
) -> None:
    config = make_config(db_url, tmp_path, server={"host": "127.0.0.1", "port": 0})
    local = LocalAdapter(config.local)
    app = App(config, clock=clock, adapters=[FailingAdapter(local, error), local])
    await app.start()
    try:
        assert local.health() is None  # started after the failing one
        assert await app.health() == [f"matrix: failed to start ({shown})"]
    finally:
        await app.stop()


async def test_healthz_names_a_hook_source_whose_secret_is_unset(
        db_url: str, tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 18 finding 11: /healthz said ok while every event of a source was refused for
    its missing secret. Now it is "degraded" and names the source (200: chat still works)."""
    monkeypatch.delenv("TEST_HOOK_SECRET", raising=False)
    monkeypatch.setenv("TEST_HOOK_TOKEN", "set")
    sources = {"topdesk": {"secret_env": "TEST_HOOK_SECRET", "template": "{{ x }}"},
               "coda": {"token_env": "TEST_HOOK_TOKEN", "template": "{{ y }}"}}
    config = make_config(db_url, tmp_path, server={"host": "127.0.0.1", "port": 0},
                         hooks={"sources": sources})
    app = App(config, clock=clock, adapters=[LocalAdapter(config.local)])
    await app.start()
    assert app.server is not None
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{app.server.port}",
                                     timeout=10) as client:
            health = await client.get("/healthz")
            assert health.status_code == 200
            assert health.json() == {"status": "degraded",
                                     "problems": ["hooks.topdesk: TEST_HOOK_SECRET is not set"]}
            monkeypatch.setenv("TEST_HOOK_SECRET", "now-set")
            assert (await client.get("/healthz")).json() == {"status": "ok"}
    finally:
        await app.stop()

"""Fixtures of the Matrix tests: one real Synapse per test run (see homeserver.py), the bot
inside the real App, and people as real nio clients with E2EE."""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.matrix.homeserver import MatrixUser, Synapse, ensure_synapse, start_synapse


@pytest.fixture(scope="session")
def synapse() -> Iterator[Synapse]:
    """A running Synapse for the whole test run (installed on first use)."""
    python = ensure_synapse()
    with tempfile.TemporaryDirectory(prefix="hartslag-synapse-") as tmp:
        server = start_synapse(python, Path(tmp))
        try:
            yield server
        finally:
            server.stop()


# -- the bot and the people, for the adapter tests ----------------------------------------------
@pytest.fixture
async def new_person(synapse: Synapse, tmp_path: Path) -> AsyncIterator[Any]:
    """``await new_person("anna")``: a registered, syncing person (stopped at teardown)."""
    from tests.matrix.people import Person

    people: list[Person] = []

    async def make(name: str) -> Person:
        person = Person(synapse.url, synapse.user(name), tmp_path / "people" / name)
        await person.start()
        people.append(person)
        return person

    yield make
    for person in people:
        await person.stop()


@pytest.fixture
def bot_user(synapse: Synapse) -> MatrixUser:
    return synapse.user("hartslag")


@pytest.fixture
async def start_bot(synapse: Synapse, bot_user: MatrixUser, db_url: str,
                    tmp_path: Path) -> AsyncIterator[Any]:
    """``await start_bot(**matrix_keys, sections=..., features=...)``: the App with the Matrix
    adapter on ``bot_user``; the same data dir and database on every call (restarts)."""
    from bots.app import App
    from commands.clock import FakeClock
    from tests.conftest import make_config
    from tests.matrix.harness import START, adapter_of, default_features

    apps: list[App] = []

    async def start(*, sections: dict[str, Any] | None = None,
                    features: Any = None, **matrix: Any) -> App:
        section = {"enabled": True, "homeserver": synapse.url, "user_id": bot_user.user_id,
                   "access_token": bot_user.access_token, "device_id": bot_user.device_id,
                   "data_dir": str(tmp_path / "matrix-data"), "sync_timeout_ms": 5000,
                   **matrix}
        config = make_config(db_url, tmp_path, matrix=section, local={"enabled": False},
                             **(sections or {}))
        chosen = tuple(features) if features is not None else default_features()
        app = App(config, clock=FakeClock(START), features=chosen)
        await app.start(serve_http=False)
        apps.append(app)
        return app

    yield start
    for app in apps:
        if adapter_of(app).client.client_session is not None:  # not stopped by the test
            await app.stop()

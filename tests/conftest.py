"""Fixtures shared by every test package.

``app`` is the real core (storage, router with every feature, scheduler, outbox) on a
migrated temporary SQLite database, a FakeClock at Monday 2026-11-23 09:00 Europe/Amsterdam,
and the local adapter. ``chat`` drives it with scripts like ``hartslag chat``.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bots.config import DEMO_DEFAULTS, Config, parse_config
from commands.clock import FakeClock

START = datetime(2026, 11, 23, 9, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))


@pytest.fixture(autouse=True)
def _root_logging() -> Iterator[None]:
    """Put the root logger back after each test. ``setup_logging`` (run by the CLI and the
    local chat) replaces its handlers with one on the sys.stderr of that moment, which under
    pytest is a capture file closed after the test: later log lines would hit a closed file."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in root.handlers:
        if handler not in handlers:
            handler.close()
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite file migrated to the newest schema; each test gets a copy (fast)."""
    from storage.db import Database
    from storage.migrate import upgrade

    path = tmp_path_factory.mktemp("template") / "template.db"

    async def migrate() -> None:
        db = Database(f"sqlite:///{path}")
        await upgrade(db)
        await db.dispose()

    asyncio.run(migrate())
    return path


@pytest.fixture
def db_url(tmp_path: Path, migrated_template: Path) -> str:
    target = tmp_path / "hartslag.db"
    shutil.copy(migrated_template, target)
    return f"sqlite:///{target}"


def make_config(db_url: str, tmp_path: Path, **sections: Any) -> Config:
    data: dict[str, Any] = {k: dict(v) if isinstance(v, dict) else v for k, v in DEMO_DEFAULTS.items()}
    data["storage"] = {"url": db_url}
    data["local"] = {**DEMO_DEFAULTS["local"], "files_dir": str(tmp_path / "files")}
    for name, values in sections.items():
        if name == "pulse" and "teams" in values:  # the older place of the teams: replaces
            data["org"] = {"teams": values["teams"]}  # the demo's, as it always did
            values = {k: v for k, v in values.items() if k != "teams"}
        data[name] = {**data.get(name, {}), **values}
    return parse_config(data, env={})


@pytest.fixture
def config(db_url: str, tmp_path: Path) -> Config:
    return make_config(db_url, tmp_path)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
async def app(config: Config, clock: FakeClock) -> AsyncIterator[Any]:
    from bots.app import App
    from bots.local.adapter import LocalAdapter

    adapter = LocalAdapter(config.local)
    application = App(config, clock=clock, adapters=[adapter])
    await application.start(serve_http=False)
    try:
        yield application
    finally:
        await application.stop()


@pytest.fixture
def chat(app: Any, clock: FakeClock) -> Any:
    from tests.support.chat import ChatDriver

    return ChatDriver(app, app.adapters[0], clock)

"""Fixtures for the signals tests: the real app with fixed keys, a production-like log capture,
and helpers that read every row of every table."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import generate_latest

from bots.config import Config
from bots.logs import setup_logging
from commands.signals.keys import SignalKeyring, new_key
from storage.signals import SignalRepository
from tests.conftest import make_config
from tests.support.db import all_rows  # noqa: F401  (re-exported for the tests here)

RELAY_KEY = new_key()
HMAC_SECRET = new_key()
CODE = re.compile(r"(?:Je geheime code|Your secret code): `([A-Z0-9]{5}-[A-Z0-9]{5})`")


def signal_config(db_url: str, tmp_path: Path, **values: Any) -> Config:
    signals = {"relay_key": RELAY_KEY, "hmac_secret": HMAC_SECRET, "allow_demo_keys": False,
               **values}
    return make_config(db_url, tmp_path, signals=signals)


@pytest.fixture
def config(db_url: str, tmp_path: Path) -> Config:
    return signal_config(db_url, tmp_path, rate_limit=3)


@pytest.fixture
def log_output() -> Iterator[io.StringIO]:
    """Every log line as production writes it (JSON with extras, DEBUG for our loggers)."""
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    buffer = io.StringIO()
    setup_logging("DEBUG", fmt="json", stream=buffer)
    try:
        yield buffer
    finally:
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)


async def code_and_ref(app: Any, transcript: str) -> tuple[str, str]:
    """The last code the bot gave in ``transcript`` and the case reference the triage team
    sees for it (looked up the way the bot does: a keyed hash of the code)."""
    found = CODE.findall(transcript)
    assert found, transcript
    code = found[-1]
    keys = await app.services.state.get(SignalKeyring).keys(app.config.signals)
    case = await app.store.repo(SignalRepository).by_code(keys.keyed_all("code", code))
    assert case is not None
    return code, case.ref


def metrics_text(app: Any) -> str:
    return generate_latest(app.metrics.registry).decode()


def find_identifiers(haystack: str, people: list[str]) -> list[str]:
    """Which of the people's ids or names occur (as a word) in ``haystack``."""
    hits = []
    for person in people:
        if re.search(rf"(?<![A-Za-z]){re.escape(person)}(?![A-Za-z])", haystack, re.IGNORECASE):
            hits.append(person)
    return hits

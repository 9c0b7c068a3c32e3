"""Fixtures of the scheduler and outbox tests: a migrated SQLite database (``db_url`` from
tests/conftest.py), a FakeClock, a recording runner."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any

import pytest

from commands.metrics import Metrics
from storage.db import Database


class RecordingRunner:
    """The ``runner`` seam: records (kind, payload); can fail on purpose for a kind."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.fail_kinds: set[str] = set()

    async def __call__(self, kind: str, payload: Mapping[str, Any]) -> None:
        self.calls.append((kind, dict(payload)))
        if kind in self.fail_kinds:
            raise RuntimeError("job failed on purpose")

    def kinds(self) -> list[str]:
        return [kind for kind, _ in self.calls]

    def slots(self, kind: str | None = None) -> list[str]:
        return [p["_schedule"]["slot"] for k, p in self.calls
                if "_schedule" in p and (kind is None or k == kind)]


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[Database]:
    database = Database(db_url)
    try:
        yield database
    finally:
        await database.dispose()


@pytest.fixture
def runner() -> RecordingRunner:
    return RecordingRunner()


@pytest.fixture
def metrics() -> Metrics:
    return Metrics()

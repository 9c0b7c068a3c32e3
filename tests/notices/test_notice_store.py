"""The held-notice writes the crash fixes rely on, on SQLite and PostgreSQL: a notice held
with its event records both at once, a replay keeps nothing, and ``due``/``drop`` keep
notices until they are dropped."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from storage.notices import NoticeRepository, PendingNotice
from tests.support.db import fresh_database

AT = datetime(2026, 11, 23, 19, 0, tzinfo=UTC)


def notice(text: str) -> PendingNotice:
    return PendingNotice(person_id=7, source="topdesk", label="incident", markdown=text,
                         due_at=AT + timedelta(hours=12), created_at=AT)


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
async def test_hold_with_its_event_once_and_keep_until_dropped(kind: str, tmp_path: Path) -> None:
    async with fresh_database(kind, tmp_path) as db:
        repo = NoticeRepository(db)
        assert await repo.hold(notice("een"), event=("topdesk", "id:1")) is True
        assert await repo.hold(notice("een"), event=("topdesk", "id:1")) is None  # replay
        assert await repo.seen("topdesk", "id:1")
        assert await repo.hold(notice("twee"), event=("topdesk", "id:2")) is False  # same due
        due = await repo.due(7, now=AT + timedelta(hours=12))
        assert [n.markdown for n in due] == ["een", "twee"]
        assert await repo.due(7, now=AT) == []  # not yet due
        await repo.drop([int(due[0].id or 0)])
        assert [n.markdown for n in await repo.due(7, now=AT + timedelta(days=1))] == ["twee"]

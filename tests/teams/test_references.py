"""The Teams reference store: first contacts of a burst saved in one transaction, on SQLite
and PostgreSQL, without losing what is already known."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage.db import Database
from storage.teams import ConversationRef, TeamsReferenceRepository, UserRefRow
from tests.support.db import fresh_database

URL = "https://smba.example/teams/"


@pytest.fixture(params=["sqlite", "postgres"])
async def refs(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[TeamsReferenceRepository]:
    db: Database
    async with fresh_database(request.param, tmp_path) as db:
        yield TeamsReferenceRepository(db)


def person(n: int, dm: str | None = None, url: str = URL) -> UserRefRow:
    return UserRefRow(f"aad-{n}", f"29:{n}", "tenant-1", url, "28:bot", dm)


def chat(cid: str, url: str = URL) -> ConversationRef:
    return ConversationRef(cid, url, "tenant-1", "28:bot", "personal")


async def test_save_many_inserts_updates_and_keeps_known_dm_conversations(
        refs: TeamsReferenceRepository) -> None:
    await refs.save_many([chat("a:1"), chat("a:2")], [person(1, "a:1"), person(2)])
    assert await refs.user("aad-1") == person(1, "a:1")
    assert await refs.conversation("a:2") == chat("a:2")
    # A later activity without the 1:1 conversation keeps the known one; a moved region
    # (new serviceUrl) is taken over; a new 1:1 conversation replaces the old.
    moved = "https://smba.example/emea/"
    await refs.save_many([chat("a:2", moved)],
                         [person(1, url=moved), person(2, "a:2"), person(3)])
    assert await refs.user("aad-1") == person(1, "a:1", moved)
    assert await refs.user("aad-2") == person(2, "a:2")
    assert await refs.user("aad-3") == person(3)
    assert await refs.conversation("a:2") == chat("a:2", moved)
    assert await refs.conversation("a:1") == chat("a:1")


async def test_the_same_person_twice_in_one_batch_counts_once(
        refs: TeamsReferenceRepository) -> None:
    await refs.save_many([chat("a:9"), chat("a:9")], [person(9), person(9, "a:9")])
    assert await refs.user("aad-9") == person(9, "a:9")
    await refs.save_many([], [])  # nothing to do is fine

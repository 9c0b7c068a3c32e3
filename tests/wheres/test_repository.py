"""FaqRepository on SQLite and, when HARTSLAG_TEST_POSTGRES_URL is set, on PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from commands.wheres.entry import Entry
from storage.faq import FaqRepository
from tests.support.db import fresh_database

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def repo(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[FaqRepository]:
    async with fresh_database(request.param, tmp_path) as db:
        yield FaqRepository(db)


async def test_entries_aliases_and_change_stamps(repo: FaqRepository) -> None:
    entry = Entry("wifi", "Wat is het wifi-wachtwoord?", "Bij de receptie.",
                  keywords=("wifi",), owner="local:olaf", review_days=30)
    assert await repo.upsert(entry, now=NOW) == "created"
    assert await repo.upsert(entry, now=NOW) == "unchanged"
    stamp = await repo.stamp()
    assert await repo.add_alias("wifi", "gastennetwerk code", now=NOW)
    assert not await repo.add_alias("wifi", "gastennetwerk code", now=NOW)
    assert await repo.stamp() != stamp  # an alias in the same clock tick is still a change
    changed = Entry("wifi", "Wat is het wifi-wachtwoord?", "Vraag het de receptie.")
    assert await repo.upsert(changed, now=NOW + timedelta(days=1)) == "updated"
    [stored] = await repo.entries()
    assert stored.aliases == ("gastennetwerk code",) and stored.owner == "local:olaf"
    assert list(await repo.versions()) == ["wifi"]
    assert await repo.remove("wifi") and await repo.entries() == []


async def test_questions_feedback_and_gaps(repo: FaqRepository) -> None:
    await repo.upsert(Entry("ziek", "Hoe meld ik me ziek?", "Bij je teamleider."), now=NOW)
    for _ in range(2):
        await repo.record_question("wie wint", key="wie wint", entry_id=None, suggestion=None,
                                   score=0.0, outcome="unanswered", now=NOW)
    answered = await repo.record_question("ik ben ziek", key="ziek", entry_id="ziek",
                                          suggestion=None, score=0.9, outcome="answered",
                                          now=NOW)
    row = await repo.set_feedback(answered, "unhelpful")
    assert row is not None and await repo.set_feedback(answered, "helped") is None
    stored = await repo.get("ziek")
    assert stored is not None and stored.unhelpful == 1
    gaps = await repo.gaps(since=NOW - timedelta(days=7))
    assert [(g.key, g.count, g.unanswered, g.unhelpful, g.entry_id) for g in gaps] == [
        ("wie wint", 2, 2, 0, None), ("ziek", 1, 0, 1, "ziek")]
    assert await repo.resolve("wie wint", "dismissed") == 2
    assert [g.key for g in await repo.gaps(since=NOW - timedelta(days=7))] == ["ziek"]
    question = await repo.question(answered)
    assert question is not None and question.asked_on == datetime(2026, 11, 23, tzinfo=UTC)


async def test_review_due_and_reminded(repo: FaqRepository) -> None:
    await repo.upsert(Entry("a", "q", "a", review_days=10), now=NOW)
    await repo.upsert(Entry("b", "q", "a", review_days=100), now=NOW)
    later = NOW + timedelta(days=11)
    due = await repo.due_for_review(later, remind_every=timedelta(days=7))
    assert [d.entry.id for d in due] == ["a"]
    await repo.mark_reminded(["a"], now=later)
    assert await repo.due_for_review(later, remind_every=timedelta(days=7)) == []
    assert await repo.mark_reviewed("a", now=later)
    assert await repo.due_for_review(later + timedelta(days=9), remind_every=timedelta(days=7)) == []

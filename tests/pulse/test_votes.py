"""The batched vote writer: group commit under concurrency, no lost or double votes,
acknowledgement only after commit, closed rounds refused, one bad ballot isolated."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from storage.db import Database
from storage.pulse import PulseRepository, PulseSeries
from storage.votes import AnswerOp, CommentOp, LedgerOp, RoundClosed, VoteWriter

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[Database]:
    database = Database(db_url)
    yield database
    await database.dispose()


async def new_round(db: Database) -> int:
    repo = PulseRepository(db)
    series = await repo.add_series(PulseSeries(title="t", questions="[]", created_by="local:x",
                                               created_at=NOW))
    assert series.id is not None
    row = await repo.open_round(series.id, at=NOW, closes_at=NOW + timedelta(days=1),
                                invited="{}", ledger=True)
    assert row.id is not None
    return row.id


async def test_concurrent_ballots_with_duplicates_lose_nothing_and_count_once(
        db: Database) -> None:
    round_id = await new_round(db)
    writer = VoteWriter(db, max_batch=64)
    rng = random.Random(7)
    voters = [f"v{i:03d}" for i in range(120)]
    clicks = [(v, str(rng.randint(1, 5))) for v in voters for _ in range(3)]
    clicks += rng.sample(clicks, 40)  # replayed duplicate clicks
    rng.shuffle(clicks)
    last: dict[str, str] = {}
    tasks = []
    for voter, value in clicks:
        last[voter] = value  # submission order is queue order: the last click wins
        tasks.append(asyncio.ensure_future(writer.submit(
            [AnswerOp(round_id, voter, 0, value, "zorg"), LedgerOp(round_id, "p" + voter)])))
    await asyncio.gather(*tasks)
    answers = await PulseRepository(db).answers(round_id)
    assert len(answers) == len(voters)
    assert {a.voter_key: a.value for a in answers} == last
    assert len(await PulseRepository(db).participants(round_id)) == len(voters)
    assert writer.batches < len(clicks) / 4  # clicks were grouped into few transactions


async def test_two_writers_on_one_file_never_hit_a_locked_database(db: Database,
                                                                   db_url: str) -> None:
    round_id = await new_round(db)
    other_db = Database(db_url)
    try:
        one, two = VoteWriter(db, max_batch=20), VoteWriter(other_db, max_batch=20)
        await asyncio.gather(*[
            (one if i % 2 else two).submit([AnswerOp(round_id, f"v{i}", 1, "3")])
            for i in range(400)])
    finally:
        await other_db.dispose()
    assert len(await PulseRepository(db).answers(round_id)) == 400


async def test_answers_are_replaced_removed_and_comments_kept_apart(db: Database) -> None:
    round_id = await new_round(db)
    writer = VoteWriter(db)
    await writer.submit([AnswerOp(round_id, "v", 0, "2"), AnswerOp(round_id, "v", 1, "0,2"),
                         CommentOp(round_id, "c", 4, "eerste", "zorg")])
    await writer.submit([AnswerOp(round_id, "v", 0, "5"), AnswerOp(round_id, "v", 1, None),
                         CommentOp(round_id, "c", 4, "tweede", "zorg")])
    repo = PulseRepository(db)
    assert await repo.answers_of(round_id, "v") == {0: "5"}
    assert [c.text for c in await repo.comments(round_id)] == ["tweede"]


async def test_a_closed_round_is_refused_inside_the_transaction(db: Database) -> None:
    open_id, closed_id = await new_round(db), await new_round(db)
    await PulseRepository(db).close_round(closed_id, at=NOW)
    writer = VoteWriter(db)
    results = await asyncio.gather(
        writer.submit([AnswerOp(open_id, "a", 0, "1")]),
        writer.submit([AnswerOp(closed_id, "b", 0, "1")]),
        writer.submit([AnswerOp(open_id, "c", 0, "1")]),
        return_exceptions=True)
    assert results[0] is None and results[2] is None
    assert isinstance(results[1], RoundClosed)
    assert await PulseRepository(db).answers(closed_id) == []
    assert len(await PulseRepository(db).answers(open_id)) == 2


async def test_one_failing_ballot_does_not_fail_its_batch(db: Database,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    round_id = await new_round(db)
    writer = VoteWriter(db)
    original = writer._apply

    def apply(conn: Any, folded: Any) -> None:
        if any(key[1] == "bad" for key in folded.answers):
            raise RuntimeError("disk says no")
        original(conn, folded)

    monkeypatch.setattr(writer, "_apply", apply)
    results = await asyncio.gather(*[
        writer.submit([AnswerOp(round_id, voter, 0, "1")]) for voter in ("a", "bad", "c", "d")],
        return_exceptions=True)
    assert [r is None for r in results] == [True, False, True, True]
    assert sorted(a.voter_key for a in await PulseRepository(db).answers(round_id)) == [
        "a", "c", "d"]


async def test_a_crash_between_batches_loses_only_unacknowledged_ballots(
        db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    round_id = await new_round(db)
    writer = VoteWriter(db, max_batch=10)
    group = writer._group
    original = group._apply
    calls = 0
    stuck = asyncio.Event()

    async def commit(ballots: Any) -> list[bool]:
        nonlocal calls
        calls += 1
        if calls == 3:  # the process "dies" while writing the third batch
            stuck.set()
            await asyncio.Event().wait()
        return await original(ballots)

    monkeypatch.setattr(group, "_apply", commit)
    acked: list[str] = []

    async def click(voter: str) -> None:
        await writer.submit([AnswerOp(round_id, voter, 0, "4")])
        acked.append(voter)

    tasks = [asyncio.ensure_future(click(f"v{i:02d}")) for i in range(45)]
    await stuck.wait()
    assert group._task is not None
    group._task.cancel()  # the crash
    results = await asyncio.gather(*tasks, return_exceptions=True)
    stored = {a.voter_key for a in await PulseRepository(db).answers(round_id)}
    assert set(acked) == stored  # every acknowledged ballot is stored, nothing else
    assert len(acked) == 20  # two batches committed before the crash
    assert all(isinstance(r, RuntimeError) for r in results if r is not None)


@pytest.fixture
async def pg_db() -> AsyncIterator[Database]:
    """A throwaway PostgreSQL database with the pulse tables (HARTSLAG_TEST_POSTGRES_URL)."""
    import os
    import uuid

    import asyncpg
    from sqlalchemy.engine import make_url

    from storage.base import metadata
    from storage.pulse import (
        PulseAnswer,
        PulseComment,
        PulseParticipation,
        PulseRound,
    )

    base = os.environ.get("HARTSLAG_TEST_POSTGRES_URL")
    if not base:
        pytest.skip("HARTSLAG_TEST_POSTGRES_URL is not set: PostgreSQL writer test skipped")
    name = f"hartslag_votes_{uuid.uuid4().hex[:10]}"
    admin_url = make_url(base).set(drivername="postgresql").render_as_string(hide_password=False)
    admin = await asyncpg.connect(admin_url)
    await admin.execute(f'CREATE DATABASE "{name}"')
    database = Database(make_url(base).set(drivername="postgresql", database=name)
                        .render_as_string(hide_password=False))
    tables = [t.__table__ for t in (PulseSeries, PulseRound, PulseAnswer, PulseComment,  # type: ignore[attr-defined]
                                    PulseParticipation)]
    async with database.engine.begin() as conn:
        await conn.run_sync(lambda sync: metadata.create_all(sync, tables=tables))
    try:
        yield database
    finally:
        await database.dispose()
        await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        await admin.close()


@pytest.mark.postgres
async def test_the_writer_on_postgresql_folds_duplicates_and_refuses_closed_rounds(
        pg_db: Database) -> None:
    round_id, closed_id = await new_round(pg_db), await new_round(pg_db)
    await PulseRepository(pg_db).close_round(closed_id, at=NOW)
    writer = VoteWriter(pg_db, max_batch=50)
    last: dict[str, str] = {}
    tasks = []
    for i in range(600):
        voter, value = f"v{i % 150}", str(i % 5 + 1)
        last[voter] = value
        tasks.append(writer.submit([AnswerOp(round_id, voter, 0, value),
                                    LedgerOp(round_id, "p" + voter)]))
    tasks.append(writer.submit([AnswerOp(closed_id, "late", 0, "1")]))
    results = await asyncio.gather(*tasks, return_exceptions=True)
    assert isinstance(results[-1], RoundClosed) and all(r is None for r in results[:-1])
    answers = await PulseRepository(pg_db).answers(round_id)
    assert {a.voter_key: a.value for a in answers} == last
    assert await PulseRepository(pg_db).answers(closed_id) == []

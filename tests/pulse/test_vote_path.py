"""The vote path's cheaper plumbing keeps its promises: the keys per person are the
documented HMACs (stored votes keep their keys across the change), the writer's SQLite path
stores and refuses exactly what the SQLAlchemy path does, on both SQLite drivers, and the
warm-up leaves a process that answers a vote without reading the tree, the round or the key.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from bots.app import App
from bots.config import Config
from commands.org import load_tree
from commands.pulse.answer import warm
from commands.pulse.keys import PulseKeys, comment_key, member_key, participant_key, voter_key
from commands.pulse.runtime import PulseRuntime
from commands.pulse.settings import PulseSettings
from storage.db import Database
from storage.migrate import ensure_current
from storage.org import OrgRepository
from storage.pulse import PulseRepository, PulseSeries
from storage.votes import AnswerOp, CommentOp, LedgerOp, RoundClosed, VoteWriter

NOW = datetime.now(UTC)
KEY = bytes(range(32))


def test_the_keys_per_person_are_the_documented_hmacs() -> None:
    # Known answers: HMAC-SHA256(key, "<label>|<person>") in hex, as keys.py documents.
    assert voter_key(KEY, "slack:U0ANNA") == (
        "722089c373830cedcfbbb49082d20053e3d0963a25dbe81f07d7d7c1652d7339")
    assert comment_key(KEY, "slack:U0ANNA") == (
        "0cd95c70a6201ebd2257b8224ffd0eb4bec54ea295d7210f5e1912d899bed8df")
    assert participant_key(KEY, "slack:U0ANNA") == (
        "4401417b2690a6441057d045aab4401bebbfde374d75b903a160e32a115e8725")
    assert member_key(KEY, "slack:U0ANNA") == "d2e75fa36c980c463f48dc63e8be8da6"
    for person in ("local:anna", "teams:29:1a-é", ""):
        expected = hmac.new(KEY, f"voter|{person}".encode(), hashlib.sha256).hexdigest()
        assert voter_key(KEY, person) == expected


@pytest.fixture(params=["file", "memory"])
async def any_sqlite(request: pytest.FixtureRequest, db_url: str) -> AsyncIterator[Database]:
    """A database file (the writer's own thread, the standard sqlite3 driver) and an
    in-memory one (the async driver's connection): the writer's cursor path runs on both."""
    db = Database(db_url if request.param == "file" else "sqlite:///:memory:")
    await ensure_current(db)
    try:
        yield db
    finally:
        await db.dispose()


async def new_round(db: Database, *, anonymous: bool = False, team: str | None = None) -> int:
    repo = PulseRepository(db)
    series = await repo.add_series(PulseSeries(title="t", questions="[]", created_by="local:x",
                                               created_at=NOW, anonymous=anonymous, team=team))
    assert series.id is not None
    row = await repo.open_round(series.id, at=NOW, closes_at=NOW + timedelta(days=1),
                                invited="{}", ledger=True)
    assert row.id is not None
    return row.id


async def test_the_sqlite_path_writes_replaces_removes_and_refuses(any_sqlite: Database) -> None:
    db = any_sqlite
    open_id, closed_id = await new_round(db), await new_round(db)
    await PulseRepository(db).close_round(closed_id, at=NOW)
    writer = VoteWriter(db)
    results = await asyncio.gather(
        writer.submit([AnswerOp(open_id, "a", 0, "1", "zorg"), CommentOp(open_id, "c", 1, "hoi"),
                       LedgerOp(open_id, "pa")]),
        writer.submit([AnswerOp(open_id, "b", 0, "2")]),
        writer.submit([AnswerOp(open_id, "a", 0, None)]),  # a removes the answer again
        writer.submit([AnswerOp(open_id, "b", 0, "5", "ict"), CommentOp(open_id, "c", 1, None),
                       CommentOp(open_id, "d", 1, "later")]),
        writer.submit([AnswerOp(closed_id, "z", 0, "3")]),
        return_exceptions=True)
    assert results[:4] == [None] * 4 and isinstance(results[4], RoundClosed)
    repo = PulseRepository(db)
    assert [(a.voter_key, a.value, a.team) for a in await repo.answers(open_id)] == [
        ("b", "5", "ict")]
    assert [c.text for c in await repo.comments(open_id)] == ["later"]
    assert await repo.participants(open_id) == {"pa"}
    assert await repo.answers(closed_id) == []


@pytest.fixture
async def app(config: Config) -> AsyncIterator[App]:
    app = App(config)
    await app.open_storage()
    try:
        yield app
    finally:
        await app.db.dispose()


async def test_after_the_warm_up_a_vote_reads_no_tree_round_or_key(
        app: App, monkeypatch: pytest.MonkeyPatch) -> None:
    team_round = await new_round(app.db, anonymous=True, team="zorg")
    closed = await new_round(app.db, anonymous=True)
    await PulseRepository(app.db).close_round(closed, at=NOW)
    ctx = app.context()
    await warm(ctx)

    async def no_read(*_: object, **__: object) -> None:
        raise AssertionError("read after the warm-up")

    monkeypatch.setattr(OrgRepository, "all", no_read)
    monkeypatch.setattr(OrgRepository, "replace_source", no_read)
    monkeypatch.setattr(PulseRepository, "round", no_read)
    monkeypatch.setattr(PulseRepository, "series", no_read)
    monkeypatch.setattr(PulseKeys, "round_key", no_read)
    tree = await load_tree(ctx)
    assert "local:z1" in tree.members("zorg")
    runtime = ctx.state(PulseRuntime)
    info = await runtime.round(team_round)
    assert info is not None and info.team == "zorg"
    key = await runtime.voter(ctx.settings.get(PulseSettings), info, "local:z1")
    assert len(key) == 64 and "z1" not in key


async def test_the_warm_up_keeps_closed_rounds_out(app: App) -> None:
    closed = await new_round(app.db, anonymous=True)
    await PulseRepository(app.db).close_round(closed, at=NOW)
    ctx = app.context()
    runtime = ctx.state(PulseRuntime)
    assert await runtime.warm(ctx.settings.get(PulseSettings)) == 0
    opened = await new_round(app.db)
    assert await runtime.warm(ctx.settings.get(PulseSettings)) == 1
    assert (await runtime.round(opened)) is not None

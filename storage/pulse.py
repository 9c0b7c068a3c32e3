"""Pulse polls: series (the definition and its schedule), rounds (one sending), answers,
comments (free text) and the optional participation ledger.

Anonymity is kept here, in the shape of the tables (ARCHITECTURE.md section 6):

- ``pulse_answer`` holds (round, voter key, question, team, value) and nothing else: no user
  id, no display name, no platform message id, no time. The voter key of an anonymous round is
  an HMAC of the person under a per-round key that is never stored (see
  commands/pulse/keys.py); of a named round it is the person's ``platform:id``.
- ``pulse_comment`` keeps free text apart from the answers, under a different HMAC, so a
  comment cannot be joined to the same person's answers.
- ``pulse_participation`` (only when a series opts in to "remind only non-respondents") holds
  a third HMAC per person; it is deleted when the round closes.
- Those three tables are SQLite ``WITHOUT ROWID`` tables: rows are kept in key (hash) order,
  so the file holds no insertion order that could be lined up with the ledger or a log.
- ``forget_round`` (N days after close) deletes the round's key salt and replaces every voter
  and comment key by a random token: after that nobody, even with the master secret and a
  backup-free database, can tell whose answers they were.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import bindparam, delete, update
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import Field, SQLModel, col, select

import storage.base  # noqa: F401  (naming convention before any table)
from storage.base import UTCDateTime
from storage.db import Database

_NO_ROWID = {"sqlite_with_rowid": False}


class PulseSeries(SQLModel, table=True):
    """A pulse as its author defined it; each sending is a round."""

    __tablename__ = "pulse_series"

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)
    questions: str = Field(sa_type=sa.Text)  # JSON list, see commands/pulse/questions.py
    team: str | None = Field(default=None, max_length=100, index=True)  # audience team
    channels: str = Field(default="[]", sa_type=sa.Text)  # JSON list of str(Address)
    anonymous: bool = Field(default=True)
    trigger: str = Field(default="", sa_type=sa.Text)  # JSON of commands.timespec.to_json
    duration_minutes: int = Field(default=4320)
    reminder_minutes: int = Field(default=0)  # after opening; 0 = no reminder
    reminder_mode: str = Field(default="all", max_length=20)  # all | non_respondents
    results_hidden: bool = Field(default=True)
    schedule_id: int | None = Field(default=None)
    locale: str = Field(default="nl", max_length=5)
    created_by: str = Field(max_length=300)  # the author, never a respondent
    created_at: datetime = Field(sa_type=UTCDateTime)
    active: bool = Field(default=True)
    # draft -> (pending -> rejected) -> scheduled -> stopped, or cancelled before the start
    # (commands/pulse/lifecycle.py). Only a scheduled series opens rounds. The default is what
    # a series written directly (tests, benchmarks, rows from before drafts) always was.
    state: str = Field(default="scheduled", max_length=12, index=True)
    decided_by: str | None = Field(default=None, max_length=300)  # the four-eyes approver


class PulseRound(SQLModel, table=True):
    __tablename__ = "pulse_round"
    __table_args__ = (sa.UniqueConstraint("series_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    series_id: int = Field(foreign_key="pulse_series.id", index=True)
    number: int
    opened_at: datetime = Field(sa_type=UTCDateTime)
    closes_at: datetime = Field(sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    state: str = Field(default="open", max_length=10)  # open | closed
    key_salt: str | None = Field(default=None, max_length=64)  # None once forgotten
    forgotten_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    invited: str = Field(default="{}", sa_type=sa.Text)  # JSON {team: people invited}
    ledger: bool = Field(default=False)


class PulseAnswer(SQLModel, table=True):
    __tablename__ = "pulse_answer"
    __table_args__ = _NO_ROWID

    round_id: int = Field(primary_key=True, foreign_key="pulse_round.id")
    voter_key: str = Field(primary_key=True, max_length=300)  # HMAC hex, or platform:id (named)
    question: int = Field(primary_key=True)
    team: str = Field(default="", max_length=100)
    value: str = Field(max_length=200)


class PulseComment(SQLModel, table=True):
    __tablename__ = "pulse_comment"
    __table_args__ = _NO_ROWID

    round_id: int = Field(primary_key=True, foreign_key="pulse_round.id")
    comment_key: str = Field(primary_key=True, max_length=64)
    question: int
    team: str = Field(default="", max_length=100)
    text: str = Field(sa_type=sa.Text)


class PulseParticipation(SQLModel, table=True):
    __tablename__ = "pulse_participation"
    __table_args__ = _NO_ROWID

    round_id: int = Field(primary_key=True, foreign_key="pulse_round.id")
    participant_key: str = Field(primary_key=True, max_length=64)


class PulseShown(SQLModel, table=True):
    """The decision on one result (a round's group) when it was first shown: shown or hidden
    by the differencing rule across time (commands/pulse/history.py). ``audience`` is the
    sorted list of keyed hashes of the people the result could count (its invited people),
    never who answered; ``questions`` the question keys. Decisions are never changed."""

    __tablename__ = "pulse_shown"

    round_id: int = Field(primary_key=True, foreign_key="pulse_round.id")
    group: str = Field(primary_key=True, max_length=100)
    shown: bool
    at: datetime = Field(sa_type=UTCDateTime, index=True)
    audience: str = Field(default="[]", sa_type=sa.Text)  # JSON sorted list of hashes
    questions: str = Field(default="[]", sa_type=sa.Text)  # JSON sorted question keys
    against_round: int | None = Field(default=None)  # the shown result it conflicted with
    against_group: str = Field(default="", max_length=100)


@dataclass(frozen=True, slots=True)
class AnswerRow:
    voter_key: str
    question: int
    team: str
    value: str


@dataclass(frozen=True, slots=True)
class CommentRow:
    question: int
    team: str
    text: str


async def _unlink_keys(connection: AsyncConnection, table: sa.Table, key: str,
                      round_id: int) -> None:
    """Replace each value of ``key`` in the round's rows by a fresh random one (one per old
    value, so the rows of one key stay together); nothing leads back to the old key."""
    column = table.c[key]
    old = (await connection.execute(
        sa.select(column).where(table.c.round_id == round_id).distinct())).scalars().all()
    if old:
        await connection.execute(
            table.update().where(table.c.round_id == round_id, column == bindparam("old"))
            .values({key: bindparam("new")}),
            [{"old": value, "new": "x" + secrets.token_hex(31)} for value in old])


class PulseRepository:
    """Series and rounds. Answers are written by storage/votes.py (batched), read here."""

    def __init__(self, db: Database) -> None:
        self._db = db

    # -- series ---------------------------------------------------------------------------
    async def add_series(self, series: PulseSeries) -> PulseSeries:
        async with self._db.session() as session:
            session.add(series)
            await session.flush()
            return series

    async def series(self, series_id: int) -> PulseSeries | None:
        return await self._db.get(PulseSeries, series_id)

    async def all_series(self, *, active_only: bool = False) -> list[PulseSeries]:
        query = select(PulseSeries).order_by(col(PulseSeries.id))
        if active_only:
            query = query.where(PulseSeries.active == True)  # noqa: E712
        async with self._db.session(readonly=True) as session:
            return list(await session.exec(query))

    async def update_series(self, series_id: int, **values: object) -> None:
        async with self._db.session() as session:
            await (await session.connection()).execute(
                update(PulseSeries).where(col(PulseSeries.id) == series_id).values(**values))

    async def transition(self, series_id: int, states: tuple[str, ...],
                         **values: object) -> PulseSeries | None:
        """Change a series only if it is in one of ``states`` (one statement, so two presses
        of the same button cannot both confirm); the changed series, or None."""
        async with self._db.session() as session:
            result = await (await session.connection()).execute(
                update(PulseSeries).where(col(PulseSeries.id) == series_id,
                                          col(PulseSeries.state).in_(states)).values(**values))
            if not getattr(result, "rowcount", 0):
                return None
        return await self.series(series_id)

    # -- rounds ---------------------------------------------------------------------------
    async def open_round(self, series_id: int, *, at: datetime, closes_at: datetime,
                         invited: str, ledger: bool) -> PulseRound:
        async with self._db.session() as session:
            last = (await session.exec(
                select(sa.func.max(PulseRound.number)).where(PulseRound.series_id == series_id)
            )).first()
            row = PulseRound(series_id=series_id, number=(last or 0) + 1, opened_at=at,
                             closes_at=closes_at, key_salt=secrets.token_hex(32),
                             invited=invited, ledger=ledger)
            session.add(row)
            await session.flush()
            return row

    async def round(self, round_id: int) -> PulseRound | None:
        return await self._db.get(PulseRound, round_id)

    async def rounds(self, series_id: int, *, limit: int = 50) -> list[PulseRound]:
        """Newest first."""
        async with self._db.session(readonly=True) as session:
            return list(await session.exec(
                select(PulseRound).where(PulseRound.series_id == series_id)
                .order_by(col(PulseRound.number).desc()).limit(limit)))

    async def close_round(self, round_id: int, *, at: datetime) -> bool:
        """Close and drop the participation ledger; False when it was not open."""
        async with self._db.session() as session:
            result = await (await session.connection()).execute(
                update(PulseRound).where(col(PulseRound.id) == round_id,
                                         col(PulseRound.state) == "open")
                .values(state="closed", closed_at=at))
            await (await session.connection()).execute(delete(PulseParticipation).where(
                col(PulseParticipation.round_id) == round_id))
            return bool(getattr(result, "rowcount", 0))

    async def forget_round(self, round_id: int, *, at: datetime) -> bool:
        """Destroy the round's key salt and unlink its voter and comment keys for good."""
        async with self._db.session() as session:
            row = await session.get(PulseRound, round_id)
            if row is None or row.state != "closed" or row.forgotten_at is not None:
                return False
            connection = await session.connection()
            await _unlink_keys(connection, PulseAnswer.__table__, "voter_key", round_id)  # type: ignore[attr-defined]
            await _unlink_keys(connection, PulseComment.__table__, "comment_key", round_id)  # type: ignore[attr-defined]
            row.key_salt = None
            row.forgotten_at = at
            session.add(row)
            return True

    async def overdue(self, now: datetime, *, key_days: int) -> tuple[list[int], list[int]]:
        """Rounds still open after their closing time, and closed rounds whose key is due
        for destruction (jobs missed while the process was down)."""
        forget_before = now - timedelta(days=key_days)
        async with self._db.session(readonly=True) as session:
            late = await session.exec(select(PulseRound.id).where(
                PulseRound.state == "open", col(PulseRound.closes_at) <= now))
            due = await session.exec(select(PulseRound.id).where(
                PulseRound.state == "closed", col(PulseRound.forgotten_at).is_(None),
                col(PulseRound.closed_at) <= forget_before))
            return [i for i in late if i is not None], [i for i in due if i is not None]

    # -- decisions of the differencing rule across time ------------------------------------
    async def decide(self, candidate: PulseShown, *, since: datetime,
                     check: Callable[[list[PulseShown]], PulseShown | None]) -> PulseShown:
        """The stored decision for the candidate's (round, group), or a new one: ``check``
        gets every result shown since ``since`` and returns the one the candidate conflicts
        with (then it is stored hidden) or None (stored shown). One write transaction, so two
        results decided at the same time see each other."""
        async with self._db.session() as session:
            connection = await session.connection()
            if connection.dialect.name == "postgresql":
                await connection.execute(sa.text("SELECT pg_advisory_xact_lock(184201)"))
            found = await session.get(PulseShown, (candidate.round_id, candidate.group))
            if found is not None:
                return found
            shown = list(await session.exec(select(PulseShown).where(
                PulseShown.shown == True, col(PulseShown.at) >= since)))  # noqa: E712
            against = check(shown)
            row = PulseShown(round_id=candidate.round_id, group=candidate.group,
                             shown=against is None, at=candidate.at,
                             audience=candidate.audience if against is None else "[]",
                             questions=candidate.questions,
                             against_round=against.round_id if against else None,
                             against_group=against.group if against else "")
            session.add(row)
            await session.flush()
            return row

    # -- reading answers --------------------------------------------------------------------
    async def answers(self, round_id: int) -> list[AnswerRow]:
        async with self._db.session(readonly=True) as session:
            rows = await session.exec(select(PulseAnswer).where(PulseAnswer.round_id == round_id))
            return [AnswerRow(r.voter_key, r.question, r.team, r.value) for r in rows]

    async def comments(self, round_id: int) -> list[CommentRow]:
        async with self._db.session(readonly=True) as session:
            rows = await session.exec(
                select(PulseComment).where(PulseComment.round_id == round_id))
            return [CommentRow(r.question, r.team, r.text) for r in rows]

    async def answers_of(self, round_id: int, voter_key: str) -> dict[int, str]:
        async with self._db.session(readonly=True) as session:
            rows = await session.exec(select(PulseAnswer).where(
                PulseAnswer.round_id == round_id, PulseAnswer.voter_key == voter_key))
            return {r.question: r.value for r in rows}

    async def participants(self, round_id: int) -> set[str]:
        async with self._db.session(readonly=True) as session:
            rows = await session.exec(select(PulseParticipation.participant_key).where(
                PulseParticipation.round_id == round_id))
            return set(rows)

    async def respondent_count(self, round_id: int) -> int:
        async with self._db.session(readonly=True) as session:
            found = (await session.exec(
                select(sa.func.count(sa.distinct(col(PulseAnswer.voter_key))))
                .where(PulseAnswer.round_id == round_id))).first()
            return int(found or 0)


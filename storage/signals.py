"""Anonymous signals: cases, their messages, the sealed relay, rate-limit and block entries.

What is stored is the promise (ARCHITECTURE.md section 6), so it is spelled out here:

- ``signal_case``: the text, category, team, status and the *day* received (never a time), a
  random public reference for the triage team and a keyed hash of the sender's secret code.
  No user id, no platform message id, no channel id.
- ``signal_entry``: replies, the sender's answers, internal notes and follow-ups per case, with
  a day (not a time). Only triage authors are named; the sender's entries have no author.
- ``signal_relay``: one AES-GCM sealed blob per case (the way back to the sender), whose key
  lives outside the database. Deleted when the case closes or is purged.
- ``signal_rate``: (period, keyed hash, count) for the rate limit; no case reference.
- ``signal_block``: (keyed hash, until day); no case reference.

The case and entry tables are ``WITHOUT ROWID`` on SQLite with random or per-case keys, so the
file does not keep the order in which signals arrived.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

import sqlalchemy as sa
from sqlalchemy import delete, func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

import storage.base  # noqa: F401  (naming convention before any table)
from storage.db import Database

STATUSES: tuple[str, ...] = ("new", "in_progress", "answered", "closed")
ENTRY_KINDS: tuple[str, ...] = ("reply", "sender", "note", "followup")
CreateOutcome = Literal["ok", "rate_limited", "blocked"]


class SignalCase(SQLModel, table=True):
    __tablename__ = "signal_case"
    __table_args__ = {"sqlite_with_rowid": False}

    ref: str = Field(primary_key=True, max_length=12)  # public, random: "S-7KQ2X3"
    code_hash: str = Field(max_length=64, unique=True)  # keyed hash of the sender's code
    category: str = Field(default="", max_length=60)
    team: str = Field(default="", max_length=60)
    text: str = Field(sa_type=sa.Text)
    status: str = Field(default="new", max_length=20, index=True)
    received_day: date = Field(index=True)
    closed_day: date | None = Field(default=None)
    assignee: str | None = Field(default=None, max_length=300)  # a triage member's key
    sender_replied: bool = Field(default=False)


class SignalEntry(SQLModel, table=True):
    __tablename__ = "signal_entry"
    __table_args__ = {"sqlite_with_rowid": False}

    case_ref: str = Field(foreign_key="signal_case.ref", primary_key=True, max_length=12,
                          ondelete="CASCADE")
    seq: int = Field(primary_key=True)
    kind: str = Field(max_length=20)  # reply | sender | note | followup
    text: str = Field(sa_type=sa.Text)
    author: str = Field(default="", max_length=300)  # triage member; "" for the sender
    day: date


class SignalRelay(SQLModel, table=True):
    __tablename__ = "signal_relay"
    __table_args__ = {"sqlite_with_rowid": False}

    case_ref: str = Field(foreign_key="signal_case.ref", primary_key=True, max_length=12,
                          ondelete="CASCADE")
    sealed: str = Field(sa_type=sa.Text)


class SignalRate(SQLModel, table=True):
    __tablename__ = "signal_rate"
    __table_args__ = {"sqlite_with_rowid": False}

    period: int = Field(primary_key=True)
    sender_hash: str = Field(primary_key=True, max_length=64)
    count: int = Field(default=0)


class SignalBlock(SQLModel, table=True):
    __tablename__ = "signal_block"
    __table_args__ = {"sqlite_with_rowid": False}

    sender_hash: str = Field(primary_key=True, max_length=64)
    until: date


@dataclass(frozen=True, slots=True)
class NewCase:
    ref: str
    code_hash: str
    category: str
    team: str
    text: str
    day: date
    sealed: str | None  # None: the sender chose not to be answerable


@dataclass(frozen=True, slots=True)
class RateCheck:
    period: int
    sender_hash: str
    limit: int
    block_hashes: tuple[str, ...]  # under every configured secret (rotation)
    today: date


@dataclass(frozen=True, slots=True)
class CaseView:
    ref: str
    category: str
    team: str
    text: str
    status: str
    received: date
    closed: date | None
    assignee: str | None
    sender_replied: bool
    has_relay: bool


@dataclass(frozen=True, slots=True)
class EntryView:
    seq: int
    kind: str
    text: str
    author: str
    day: date


@dataclass(frozen=True, slots=True)
class PurgeCounts:
    cases: int
    relays: int
    rates: int
    blocks: int


def _view(row: SignalCase, has_relay: bool) -> CaseView:
    return CaseView(row.ref, row.category, row.team, row.text, row.status, row.received_day,
                    row.closed_day, row.assignee, row.sender_replied, has_relay)


class SignalRepository:
    """Every read and write of the signal tables; handlers never see sessions."""

    def __init__(self, db: Database) -> None:
        self._db = db

    # -- sending ----------------------------------------------------------------------------
    async def create(self, case: NewCase, check: RateCheck) -> CreateOutcome:
        """Store a case unless the sender is blocked or over the limit, in one transaction.

        The counter goes up with a conditional UPDATE (atomic under concurrency on
        PostgreSQL too); two first signals of one person at once collide on the counter's key
        and the loser is retried once."""
        for attempt in (1, 2):
            try:
                return await self._create(case, check)
            except IntegrityError:
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    async def _create(self, case: NewCase, check: RateCheck) -> CreateOutcome:
        async with self._db.session() as session:
            if await _blocked(session, check.block_hashes, check.today):
                return "blocked"
            key = (col(SignalRate.period) == check.period,
                   col(SignalRate.sender_hash) == check.sender_hash)
            bumped = await session.exec(  # type: ignore[call-overload]
                update(SignalRate).where(*key, col(SignalRate.count) < check.limit)
                .values(count=SignalRate.count + 1)
            )
            if _rowcount(bumped) == 0:
                if (await session.exec(select(SignalRate.count).where(*key))).first() is not None:
                    return "rate_limited"
                session.add(SignalRate(period=check.period, sender_hash=check.sender_hash, count=1))
            session.add(SignalCase(ref=case.ref, code_hash=case.code_hash, category=case.category,
                                   team=case.team, text=case.text, received_day=case.day))
            if case.sealed is not None:
                await session.flush()
                session.add(SignalRelay(case_ref=case.ref, sealed=case.sealed))
        return "ok"

    async def ref_exists(self, ref: str) -> bool:
        return await self._db.get(SignalCase, ref) is not None

    async def rate_used(self, period: int, sender_hash: str) -> int:
        """How many signals the holder of ``sender_hash`` sent in ``period``."""
        async with self._db.session(readonly=True) as session:
            found = (await session.exec(select(SignalRate.count).where(
                col(SignalRate.period) == period,
                col(SignalRate.sender_hash) == sender_hash))).first()
            return int(found or 0)

    async def is_blocked(self, block_hashes: Sequence[str], today: date) -> bool:
        async with self._db.session(readonly=True) as session:
            return await _blocked(session, block_hashes, today)

    # -- reading ----------------------------------------------------------------------------
    async def get(self, ref: str) -> CaseView | None:
        async with self._db.session(readonly=True) as session:
            row = await session.get(SignalCase, ref.upper())
            if row is None:
                return None
            return _view(row, await session.get(SignalRelay, row.ref) is not None)

    async def by_code(self, code_hashes: Sequence[str]) -> CaseView | None:
        """The case whose code hashes to one of ``code_hashes`` (one per configured secret)."""
        async with self._db.session(readonly=True) as session:
            row = (await session.exec(
                select(SignalCase).where(col(SignalCase.code_hash).in_(list(code_hashes)))
            )).first()
            if row is None:
                return None
            return _view(row, await session.get(SignalRelay, row.ref) is not None)

    async def entries(self, ref: str, *, notes: bool) -> list[EntryView]:
        query = select(SignalEntry).where(SignalEntry.case_ref == ref).order_by(col(SignalEntry.seq))
        if not notes:
            query = query.where(SignalEntry.kind != "note")
        async with self._db.session(readonly=True) as session:
            rows = (await session.exec(query)).all()
        return [EntryView(r.seq, r.kind, r.text, r.author, r.day) for r in rows]

    async def inbox(self, *, statuses: Sequence[str], category: str | None = None,
                    limit: int = 50) -> tuple[list[CaseView], int]:
        """Cases in ``statuses`` (oldest day first, then by ref) and how many matched in all."""
        where: list[sa.ColumnElement[bool]] = [col(SignalCase.status).in_(list(statuses))]
        if category is not None:
            where.append(func.lower(SignalCase.category) == category.lower())
        async with self._db.session(readonly=True) as session:
            total = (await session.exec(select(func.count()).select_from(SignalCase).where(*where))).one()
            rows = (await session.exec(
                select(SignalCase).where(*where)
                .order_by(col(SignalCase.received_day), col(SignalCase.ref)).limit(limit)
            )).all()
            relays = set((await session.exec(
                select(SignalRelay.case_ref).where(col(SignalRelay.case_ref).in_([r.ref for r in rows]))
            )).all())
        return [_view(r, r.ref in relays) for r in rows], int(total)

    async def counts(self) -> dict[tuple[str, str], int]:
        """(status, category) -> number of cases."""
        async with self._db.session(readonly=True) as session:
            rows = (await session.exec(
                select(SignalCase.status, SignalCase.category, func.count())
                .group_by(SignalCase.status, SignalCase.category)
            )).all()
        return {(status, category): int(n) for status, category, n in rows}

    # -- changing -----------------------------------------------------------------------------
    async def add_entry(self, ref: str, kind: str, text: str, *, author: str, day: date,
                        status: str | None = None, sender_replied: bool | None = None) -> bool:
        """Append an entry, optionally changing status; False when the case is gone or closed."""
        async with self._db.session() as session:
            case = await session.get(SignalCase, ref)
            if case is None or case.status == "closed":
                return False
            last = (await session.exec(
                select(func.max(SignalEntry.seq)).where(SignalEntry.case_ref == ref)
            )).one()
            session.add(SignalEntry(case_ref=ref, seq=int(last or 0) + 1, kind=kind, text=text,
                                    author=author, day=day))
            if status is not None:
                case.status = status
            if sender_replied is not None:
                case.sender_replied = sender_replied
            session.add(case)
        return True

    async def set_status(self, ref: str, status: str, *, day: date) -> bool:
        """Change the status; closing deletes the relay mapping in the same transaction."""
        async with self._db.session() as session:
            case = await session.get(SignalCase, ref)
            if case is None:
                return False
            case.status = status
            case.closed_day = day if status == "closed" else None
            if status == "closed":
                case.sender_replied = False
                await session.exec(delete(SignalRelay).where(col(SignalRelay.case_ref) == ref))  # type: ignore[call-overload]
            session.add(case)
        return True

    async def assign(self, ref: str, assignee: str | None) -> bool:
        return await self._db.change(SignalCase, ref, {"assignee": assignee}) is not None

    # -- relay, blocks --------------------------------------------------------------------------
    async def relay(self, ref: str) -> str | None:
        async with self._db.session(readonly=True) as session:
            row = await session.get(SignalRelay, ref)
            return row.sealed if row else None

    async def relays(self) -> list[tuple[str, str]]:
        async with self._db.session(readonly=True) as session:
            rows = (await session.exec(select(SignalRelay))).all()
        return [(r.case_ref, r.sealed) for r in rows]

    async def replace_relay(self, ref: str, sealed: str) -> None:
        await self._db.change(SignalRelay, ref, {"sealed": sealed})

    async def replace_code_hash(self, ref: str, code_hash: str) -> None:
        """After an HMAC secret rotation: the code's hash under the new secret."""
        await self._db.change(SignalCase, ref, {"code_hash": code_hash})

    async def block(self, block_hash: str, until: date) -> None:
        async with self._db.session() as session:
            row = await session.get(SignalBlock, block_hash)
            row = row or SignalBlock(sender_hash=block_hash, until=until)
            row.until = max(row.until, until)
            session.add(row)

    # -- retention and records ------------------------------------------------------------------
    async def purge(self, *, received_before: date, today: date, period: int) -> PurgeCounts:
        """Delete cases received before the cut-off (with entries and relay), expired blocks
        and rate counters of earlier periods."""
        async with self._db.session() as session:
            old = list((await session.exec(
                select(SignalCase.ref).where(col(SignalCase.received_day) < received_before)
            )).all())
            relays = 0
            if old:
                relays = _rowcount(await session.exec(delete(SignalRelay).where(col(SignalRelay.case_ref).in_(old))))  # type: ignore[call-overload]
                await session.exec(delete(SignalEntry).where(col(SignalEntry.case_ref).in_(old)))  # type: ignore[call-overload]
                await session.exec(delete(SignalCase).where(col(SignalCase.ref).in_(old)))  # type: ignore[call-overload]
            rates = _rowcount(await session.exec(delete(SignalRate).where(col(SignalRate.period) < period)))  # type: ignore[call-overload]
            blocks = _rowcount(await session.exec(delete(SignalBlock).where(col(SignalBlock.until) < today)))  # type: ignore[call-overload]
        return PurgeCounts(len(old), relays, rates, blocks)

    async def export(self) -> list[tuple[CaseView, list[EntryView]]]:
        """Every case with every entry (notes included), for an open-government request."""
        async with self._db.session(readonly=True) as session:
            cases = (await session.exec(
                select(SignalCase).order_by(col(SignalCase.received_day), col(SignalCase.ref))
            )).all()
            entries = (await session.exec(
                select(SignalEntry).order_by(col(SignalEntry.case_ref), col(SignalEntry.seq))
            )).all()
            relays = set((await session.exec(select(SignalRelay.case_ref))).all())
        by_case: dict[str, list[EntryView]] = {}
        for e in entries:
            by_case.setdefault(e.case_ref, []).append(EntryView(e.seq, e.kind, e.text, e.author, e.day))
        return [(_view(c, c.ref in relays), by_case.get(c.ref, [])) for c in cases]

    async def table_counts(self) -> dict[str, int]:
        """Rows per signal table (the export states what it leaves out and how much)."""
        found: dict[str, int] = {}
        async with self._db.session(readonly=True) as session:
            for model in (SignalCase, SignalEntry, SignalRelay, SignalRate, SignalBlock):
                total = (await session.exec(select(func.count()).select_from(model))).one()
                found[str(model.__tablename__)] = int(total)
        return found


async def _blocked(session: AsyncSession, hashes: Sequence[str], today: date) -> bool:
    found = await session.exec(
        select(SignalBlock.sender_hash).where(col(SignalBlock.sender_hash).in_(list(hashes)),
                                              col(SignalBlock.until) >= today).limit(1)
    )
    return found.first() is not None


def _rowcount(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)

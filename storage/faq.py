"""The knowledge base ("where do I find X"): entries and the questions people asked.

Anonymity: a question row holds the text, the entry shown, the outcome and the day it was
asked, never who asked it or where (no user key, channel or platform message id).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

import sqlalchemy as sa
from sqlmodel import Field, SQLModel, col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

import storage.base  # noqa: F401  (naming convention before any table)
from commands.wheres.entry import Entry
from storage.base import UTCDateTime
from storage.db import Database

Outcome = Literal["answered", "unanswered"]
Feedback = Literal["helped", "unhelpful"]
UpsertResult = Literal["created", "updated", "unchanged"]


class FaqEntry(SQLModel, table=True):
    __tablename__ = "faq_entry"

    id: str = Field(primary_key=True, max_length=80)
    question: str = Field(max_length=500)
    answer: str = Field(sa_type=sa.Text)
    url: str = Field(default="", max_length=1000)
    keywords: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    aliases: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    lang: str = Field(default="nl", max_length=5)
    owner: str = Field(default="", max_length=300, index=True)
    review_days: int = 180
    reviewed_at: datetime = Field(sa_type=UTCDateTime)
    reminded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    helped: int = 0
    unhelpful: int = 0
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime, index=True)
    source: str = Field(default="", max_length=1000)  # the intranet page it came from
    tags: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    twin: str = Field(default="", max_length=80)  # the entry this one translates

    def to_entry(self) -> Entry:
        return Entry(
            id=self.id, question=self.question, answer=self.answer, url=self.url,
            keywords=tuple(self.keywords), lang=self.lang, owner=self.owner,
            review_days=self.review_days, aliases=tuple(self.aliases), source=self.source,
            tags=tuple(self.tags), twin=self.twin,
        )


class FaqVector(SQLModel, table=True):
    """An entry text's embedding, keyed by model and text hash (not by entry: an unchanged
    text is never embedded twice, and an edited one simply gets a new row)."""

    __tablename__ = "faq_vector"

    model: str = Field(primary_key=True, max_length=80)
    text_hash: str = Field(primary_key=True, max_length=64)
    dim: int
    vector: bytes = Field(sa_type=sa.LargeBinary)  # float32, little-endian


class FaqQuestion(SQLModel, table=True):
    """A question as asked, without who asked it. ``state``: open, alias, dismissed."""

    __tablename__ = "faq_question"

    id: int | None = Field(default=None, primary_key=True)
    text: str = Field(max_length=500)
    key: str = Field(max_length=500, index=True)  # normalised text, groups repeats
    entry_id: str | None = Field(default=None, max_length=80)  # the entry shown
    suggestion: str | None = Field(default=None, max_length=80)  # best guess when abstaining
    score: float = 0.0
    outcome: str = Field(max_length=12)
    feedback: str | None = Field(default=None, max_length=12)
    state: str = Field(default="open", max_length=12, index=True)
    asked_on: datetime = Field(sa_type=UTCDateTime, index=True)  # the day, 00:00 UTC


@dataclass(frozen=True, slots=True)
class ReviewDue:
    entry: Entry
    reviewed_at: datetime


@dataclass(frozen=True, slots=True)
class Gap:
    """Questions with the same normalised text that went unanswered or did not help."""

    key: str
    text: str  # the most recent wording
    question_id: int  # a representative row (for buttons)
    count: int
    unanswered: int
    unhelpful: int
    entry_id: str | None  # the entry shown or suggested, if any


def day_of(moment: datetime) -> datetime:
    """The day only: questions carry no time of day that could single out a person."""
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


def _later(previous: datetime, now: datetime) -> datetime:
    """A change time that always moves forward, so an index sees every change."""
    return max(now, previous + timedelta(microseconds=1))


class FaqRepository:
    """Entries and asked questions. Every method is one short transaction."""

    def __init__(self, db: Database) -> None:
        self._db = db

    # -- entries --------------------------------------------------------------------------
    async def versions(self) -> dict[str, datetime]:
        """Entry id -> last change, for incremental index updates."""
        async with self._db.session(readonly=True) as s:
            rows = await s.exec(select(FaqEntry.id, FaqEntry.updated_at))
            return {entry_id: updated for entry_id, updated in rows}

    async def stamp(self) -> tuple[int, str]:
        """(count, latest change): a cheap check whether the knowledge base changed."""
        async with self._db.session(readonly=True) as s:
            row = (await s.exec(select(func.count(), func.max(FaqEntry.updated_at)))).one()
            return int(row[0]), str(row[1])

    async def entries(self, ids: Iterable[str] | None = None) -> list[Entry]:
        query = select(FaqEntry).order_by(FaqEntry.id)
        if ids is not None:
            query = query.where(col(FaqEntry.id).in_(list(ids)))
        async with self._db.session(readonly=True) as s:
            return [row.to_entry() for row in await s.exec(query)]

    async def get(self, entry_id: str) -> FaqEntry | None:
        return await self._db.get(FaqEntry, entry_id)

    async def upsert(self, entry: Entry, *, now: datetime) -> UpsertResult:
        """Create or update by id. Learned aliases survive an update that names none."""
        return (await self.upsert_many([entry], now=now))[0]

    async def upsert_many(self, entries: Sequence[Entry], *, now: datetime) -> list[UpsertResult]:
        """``upsert`` for many entries in one transaction (imports)."""
        async with self._db.session() as s:
            ids = [e.id for e in entries]
            for i in range(0, len(ids), 500):  # load existing rows in bulk: get() finds them
                list(await s.exec(select(FaqEntry).where(col(FaqEntry.id).in_(ids[i:i + 500]))))
            return [await self._upsert(s, entry, now) for entry in entries]

    @staticmethod
    async def _upsert(s: AsyncSession, entry: Entry, now: datetime) -> UpsertResult:
        row = await s.get(FaqEntry, entry.id)
        if row is None:
            s.add(FaqEntry(
                id=entry.id, question=entry.question, answer=entry.answer, url=entry.url,
                keywords=list(entry.keywords), aliases=list(entry.aliases), lang=entry.lang,
                owner=entry.owner, review_days=entry.review_days, reviewed_at=now,
                created_at=now, updated_at=now, source=entry.source, tags=list(entry.tags),
                twin=entry.twin,
            ))
            return "created"
        aliases = list(dict.fromkeys([*row.aliases, *entry.aliases]))
        merged = Entry(
            id=entry.id, question=entry.question, answer=entry.answer, url=entry.url,
            keywords=entry.keywords, lang=entry.lang, owner=entry.owner or row.owner,
            review_days=entry.review_days, aliases=tuple(aliases), source=entry.source,
            tags=entry.tags, twin=entry.twin,
        )
        if merged == row.to_entry():
            return "unchanged"
        row.question, row.answer, row.url = merged.question, merged.answer, merged.url
        row.keywords, row.aliases, row.lang = list(merged.keywords), aliases, merged.lang
        row.owner, row.review_days = merged.owner, merged.review_days
        row.source, row.tags, row.twin = merged.source, list(merged.tags), merged.twin
        row.updated_at, row.reviewed_at = _later(row.updated_at, now), now
        row.reminded_at = None
        s.add(row)
        return "updated"

    # -- vectors ---------------------------------------------------------------------------
    async def vectors(self, model: str, hashes: Iterable[str]) -> dict[str, bytes]:
        """Stored vectors of ``model`` for these text hashes (hash -> float32 bytes)."""
        wanted = list(dict.fromkeys(hashes))
        out: dict[str, bytes] = {}
        async with self._db.session(readonly=True) as s:
            for i in range(0, len(wanted), 500):
                rows = await s.exec(select(FaqVector.text_hash, FaqVector.vector).where(
                    FaqVector.model == model, col(FaqVector.text_hash).in_(wanted[i:i + 500])))
                out.update({digest: bytes(blob) for digest, blob in rows})
        return out

    async def put_vectors(self, model: str, vectors: Mapping[str, bytes], *, dim: int) -> None:
        """Store vectors (hash -> float32 bytes); one already there is kept (same text)."""
        async with self._db.session() as s:
            have = set(await s.exec(select(FaqVector.text_hash).where(
                FaqVector.model == model, col(FaqVector.text_hash).in_(list(vectors)))))
            for digest, blob in vectors.items():
                if digest not in have:
                    s.add(FaqVector(model=model, text_hash=digest, dim=dim, vector=blob))

    async def prune_vectors(self, model: str, keep: Iterable[str]) -> int:
        """Delete this model's vectors of texts no entry has any more."""
        keep_set = set(keep)
        async with self._db.session() as s:
            stored = list(await s.exec(select(FaqVector.text_hash).where(FaqVector.model == model)))
            gone = [h for h in stored if h not in keep_set]
            for i in range(0, len(gone), 500):
                await s.exec(sa.delete(FaqVector).where(  # type: ignore[call-overload]
                    col(FaqVector.model) == model, col(FaqVector.text_hash).in_(gone[i:i + 500])))
            return len(gone)

    async def remove(self, entry_id: str) -> bool:
        return await self._db.delete(FaqEntry, entry_id)

    async def add_alias(self, entry_id: str, text: str, *, now: datetime) -> bool:
        """False when the entry is gone or already has this alias."""
        async with self._db.session() as s:
            row = await s.get(FaqEntry, entry_id)
            if row is None or text in row.aliases or text == row.question:
                return False
            row.aliases = [*row.aliases, text]
            row.updated_at = _later(row.updated_at, now)
            s.add(row)
            return True

    async def mark_reviewed(self, entry_id: str, *, now: datetime) -> bool:
        changes = {"reviewed_at": now, "reminded_at": None}
        return await self._db.change(FaqEntry, entry_id, changes) is not None

    async def count_feedback(self, entry_id: str, feedback: Feedback) -> None:
        async with self._db.session() as s:
            row = await s.get(FaqEntry, entry_id)
            if row is None:
                return
            if feedback == "helped":
                row.helped += 1
            else:
                row.unhelpful += 1
            s.add(row)

    async def due_for_review(self, now: datetime, *, remind_every: timedelta) -> list[ReviewDue]:
        """Entries past their review interval and not reminded within ``remind_every``."""
        async with self._db.session(readonly=True) as s:
            rows = list(await s.exec(select(FaqEntry).order_by(FaqEntry.id)))
        return [
            ReviewDue(row.to_entry(), row.reviewed_at)
            for row in rows
            if row.reviewed_at + timedelta(days=row.review_days) <= now
            and (row.reminded_at is None or row.reminded_at + remind_every <= now)
        ]

    async def mark_reminded(self, ids: Sequence[str], *, now: datetime) -> None:
        async with self._db.session() as s:
            for row in await s.exec(select(FaqEntry).where(col(FaqEntry.id).in_(list(ids)))):
                row.reminded_at = now
                s.add(row)

    # -- questions ------------------------------------------------------------------------
    async def record_question(
        self, text: str, *, key: str, entry_id: str | None, suggestion: str | None,
        score: float, outcome: Outcome, now: datetime,
    ) -> int:
        async with self._db.session() as s:
            row = FaqQuestion(
                text=text[:500], key=key[:500], entry_id=entry_id, suggestion=suggestion,
                score=score, outcome=outcome, asked_on=day_of(now),
            )
            s.add(row)
            await s.flush()
            assert row.id is not None
            return row.id

    async def question(self, question_id: int) -> FaqQuestion | None:
        return await self._db.get(FaqQuestion, question_id)

    async def show_entry(self, question_id: int, entry_id: str) -> bool:
        """The person picked an alternative: feedback now applies to that entry."""
        return await self._before_feedback(question_id, entry_id=entry_id) is not None

    async def set_feedback(self, question_id: int, feedback: Feedback) -> FaqQuestion | None:
        """Record feedback once per question; None when unknown or already given."""
        row = await self._before_feedback(question_id, feedback=feedback)
        if row is None:
            return None
        if row.entry_id:
            await self.count_feedback(row.entry_id, feedback)
        return row

    async def _before_feedback(self, question_id: int, **values: Any) -> FaqQuestion | None:
        """Change a question that has no feedback yet: once given, feedback is final, and
        so is the entry it counted for."""
        return await self._db.change(FaqQuestion, question_id, values,
                                     when=lambda row: row.feedback is None)

    async def resolve(self, key: str, state: Literal["alias", "dismissed"]) -> int:
        """Close every open question with this normalised text; returns how many."""
        async with self._db.session() as s:
            rows = list(await s.exec(
                select(FaqQuestion).where(FaqQuestion.key == key, FaqQuestion.state == "open")
            ))
            for row in rows:
                row.state = state
                s.add(row)
            return len(rows)

    async def purge_questions(self, *, before: datetime) -> int:
        """Delete questions asked before ``before`` (retention); returns how many."""
        async with self._db.session() as s:
            result = await s.exec(  # type: ignore[call-overload]
                sa.delete(FaqQuestion).where(col(FaqQuestion.asked_on) < day_of(before))
            )
            return int(result.rowcount or 0)

    async def gaps(self, *, since: datetime, limit: int = 50) -> list[Gap]:
        """Open unanswered or unhelpful questions since ``since``, grouped, most asked first."""
        gap = sa.or_(
            col(FaqQuestion.outcome) == "unanswered", col(FaqQuestion.feedback) == "unhelpful"
        )
        query = (
            select(FaqQuestion)
            .where(FaqQuestion.state == "open", FaqQuestion.asked_on >= day_of(since), gap)
            .order_by(col(FaqQuestion.id).desc())
        )
        async with self._db.session(readonly=True) as s:
            rows = list(await s.exec(query))
        groups: dict[str, list[FaqQuestion]] = {}
        for row in rows:
            groups.setdefault(row.key, []).append(row)
        out = []
        for key, items in groups.items():
            latest = items[0]
            assert latest.id is not None
            entry = next((i.entry_id or i.suggestion for i in items if i.entry_id or i.suggestion),
                         None)
            out.append(Gap(
                key=key, text=latest.text, question_id=latest.id, count=len(items),
                unanswered=sum(i.outcome == "unanswered" for i in items),
                unhelpful=sum(i.feedback == "unhelpful" for i in items), entry_id=entry,
            ))
        out.sort(key=lambda g: (-g.count, g.key))
        return out[:limit]

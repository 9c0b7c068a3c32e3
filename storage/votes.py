"""The batched vote writer: group commit for pulse answers.

A burst of clicks (a pulse to 130,000 people at 09:00) must not queue behind one SQLite
transaction per click (~450/s measured here). Every ``submit`` puts one ballot (the answers
of one click or one form, applied together) in a queue and waits; one writer task takes
everything that is waiting, up to ``max_batch`` ballots, and writes it in ONE transaction
(``BEGIN IMMEDIATE`` on SQLite, see storage/db.py): upserts on (round, voter key, question).
While that transaction commits, new ballots pile up and go into the next one.

Guarantees:
- ``submit`` returns only after the transaction holding the ballot committed: an
  acknowledged answer is durable. A crash between batches loses at most ballots whose
  ``submit`` had not returned yet (their clicks got no acknowledgement).
- Ballots are applied in submission order, so for one person the last click wins; duplicate
  keys inside one batch are folded before the SQL (PostgreSQL refuses to upsert a row twice
  in one statement).
- A ballot for a round that is not open is refused with ``RoundClosed``, checked inside the
  same transaction that writes it, so nothing slips in after a close.
- One failing ballot does not fail its neighbours: a failed batch is retried ballot by ballot.

The queueing and batching are storage/groupcommit.py's (the product's one group-commit
writer); this module is the ballot transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from storage.db import Database
from storage.groupcommit import GroupCommit
from storage.pulse import PulseAnswer, PulseComment, PulseParticipation, PulseRound

log = logging.getLogger("hartslag.votes")

MAX_BATCH = 500


@dataclass(frozen=True, slots=True)
class AnswerOp:
    """Set (or with ``value=None`` remove) one person's answer to one question."""

    round_id: int
    voter_key: str
    question: int
    value: str | None
    team: str = ""


@dataclass(frozen=True, slots=True)
class CommentOp:
    """Set (or remove) one person's free-text answer, under its own key."""

    round_id: int
    comment_key: str
    question: int
    text: str | None
    team: str = ""


@dataclass(frozen=True, slots=True)
class LedgerOp:
    """Mark "this (keyed) person answered" for reminders to non-respondents only."""

    round_id: int
    participant_key: str


Op = AnswerOp | CommentOp | LedgerOp


class RoundClosed(Exception):
    """The ballot's round is not open (closed, or unknown)."""




class VoteWriter:
    """One per process and database (``store.repo(VoteWriter)``): the group-commit writer
    (storage/groupcommit.py) with the ballot transaction below."""

    def __init__(self, db: Database, *, max_batch: int = MAX_BATCH) -> None:
        self._db = db
        self._group: GroupCommit[tuple[Op, ...], bool] = GroupCommit(
            self._commit, name="pulse-vote-writer", max_batch=max_batch, isolate=True)

    @property
    def batches(self) -> int:
        """Committed transactions, for tests and benchmarks."""
        return self._group.batches

    async def submit(self, ops: Sequence[Op]) -> None:
        """Write ``ops`` atomically; returns after commit. Raises RoundClosed."""
        if not ops:
            return
        try:
            accepted = await self._group.write(tuple(ops))
        except Exception as exc:
            # The database's message may quote the values (a comment's text): type only.
            log.error("vote not stored", extra={"error_type": type(exc).__name__})
            raise RuntimeError("vote not stored") from None
        if not accepted:
            raise RoundClosed()

    async def flush(self) -> None:
        """Wait until everything submitted so far is written."""
        await self._group.flush()

    async def _commit(self, ballots: Sequence[tuple[Op, ...]]) -> list[bool]:
        return await self._db.write(lambda conn: self._commit_in(conn, ballots))

    def _commit_in(self, conn: Connection, ballots: Sequence[tuple[Op, ...]]) -> list[bool]:
        """The batch's transaction, run in one go (``Database.write``)."""
        rounds = {op.round_id for ops in ballots for op in ops}
        table = PulseRound.__table__  # type: ignore[attr-defined]
        query = sa.select(table.c.id).where(table.c.id.in_(rounds), table.c.state == "open")
        if not self._db.is_sqlite:
            query = query.with_for_update(read=True)
        open_ids = set(conn.execute(query).scalars())
        accepted = [all(op.round_id in open_ids for op in ops) for ops in ballots]
        self._apply(conn, _fold([ops for ops, ok in zip(ballots, accepted, strict=True) if ok]))
        return accepted

    def _apply(self, conn: Connection, folded: _Folded) -> None:
        insert = sqlite_insert if self._db.is_sqlite else pg_insert
        answers = PulseAnswer.__table__  # type: ignore[attr-defined]
        comments = PulseComment.__table__  # type: ignore[attr-defined]
        ledger = PulseParticipation.__table__  # type: ignore[attr-defined]
        if folded.answer_deletes:
            conn.execute(
                answers.delete().where(answers.c.round_id == sa.bindparam("r"),
                                       answers.c.voter_key == sa.bindparam("v"),
                                       answers.c.question == sa.bindparam("q")),
                [{"r": r, "v": v, "q": q} for r, v, q in folded.answer_deletes])
        if folded.answers:
            stmt = insert(answers)
            stmt = stmt.on_conflict_do_update(
                index_elements=["round_id", "voter_key", "question"],
                set_={"value": stmt.excluded.value, "team": stmt.excluded.team})
            conn.execute(stmt, list(folded.answers.values()))
        if folded.comment_deletes:
            conn.execute(
                comments.delete().where(comments.c.round_id == sa.bindparam("r"),
                                        comments.c.comment_key == sa.bindparam("k")),
                [{"r": r, "k": k} for r, k in folded.comment_deletes])
        if folded.comments:
            stmt = insert(comments)
            stmt = stmt.on_conflict_do_update(
                index_elements=["round_id", "comment_key"],
                set_={"text": stmt.excluded.text, "team": stmt.excluded.team,
                      "question": stmt.excluded.question})
            conn.execute(stmt, list(folded.comments.values()))
        if folded.ledger:
            stmt = insert(ledger).on_conflict_do_nothing(
                index_elements=["round_id", "participant_key"])
            conn.execute(stmt, [{"round_id": r, "participant_key": p}
                                for r, p in sorted(folded.ledger)])


@dataclass
class _Folded:
    answers: dict[tuple[int, str, int], dict[str, Any]]
    answer_deletes: set[tuple[int, str, int]]
    comments: dict[tuple[int, str], dict[str, Any]]
    comment_deletes: set[tuple[int, str]]
    ledger: set[tuple[int, str]]


def _fold(ballots: list[tuple[Op, ...]]) -> _Folded:
    """Apply the ballots in order in memory: the last write per key wins."""
    out = _Folded({}, set(), {}, set(), set())
    for ops in ballots:
        for op in ops:
            if isinstance(op, AnswerOp):
                key = (op.round_id, op.voter_key, op.question)
                if op.value is None:
                    out.answers.pop(key, None)
                    out.answer_deletes.add(key)
                else:
                    out.answer_deletes.discard(key)
                    out.answers[key] = {"round_id": op.round_id, "voter_key": op.voter_key,
                                        "question": op.question, "team": op.team,
                                        "value": op.value}
            elif isinstance(op, CommentOp):
                ckey = (op.round_id, op.comment_key)
                if op.text is None:
                    out.comments.pop(ckey, None)
                    out.comment_deletes.add(ckey)
                else:
                    out.comment_deletes.discard(ckey)
                    out.comments[ckey] = {"round_id": op.round_id, "comment_key": op.comment_key,
                                          "question": op.question, "team": op.team,
                                          "text": op.text}
            else:
                out.ledger.add((op.round_id, op.participant_key))
    return out

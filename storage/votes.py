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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection
from sqlalchemy.dialects import sqlite
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




@dataclass(frozen=True)
class _Statements:
    """The ballot transaction's statements, built once per writer.

    Why: building them per batch cost more than running them at 300 votes/s, where a batch
    holds one or two ballots: ``insert(...).excluded`` builds an alias of the whole table
    each time, and a new statement object is hashed again for SQLAlchemy's compiled cache.
    Statements are immutable, so one object serves every batch with its own parameters."""

    open_rounds: sa.Select[Any]  # ids: the batch's rounds
    open_round: sa.Select[Any]  # id: one round (the SQLite path, see _SqliteSql)
    answer_delete: sa.Delete
    answer_upsert: sa.Insert
    comment_delete: sa.Delete
    comment_upsert: sa.Insert
    ledger_insert: sa.Insert


# The columns each insert is given (what _fold and _writes put in a row).
_INSERT_KEYS = {
    "answer_upsert": ("round_id", "voter_key", "question", "team", "value"),
    "comment_upsert": ("round_id", "comment_key", "question", "team", "text"),
    "ledger_insert": ("round_id", "participant_key"),
}


def _statements(is_sqlite: bool) -> _Statements:
    insert = sqlite_insert if is_sqlite else pg_insert
    rounds = PulseRound.__table__  # type: ignore[attr-defined]
    answers = PulseAnswer.__table__  # type: ignore[attr-defined]
    comments = PulseComment.__table__  # type: ignore[attr-defined]
    ledger = PulseParticipation.__table__  # type: ignore[attr-defined]
    open_rounds = sa.select(rounds.c.id).where(
        rounds.c.id.in_(sa.bindparam("ids", expanding=True)), rounds.c.state == "open")
    if not is_sqlite:
        open_rounds = open_rounds.with_for_update(read=True)
    answer_upsert = insert(answers)
    answer_upsert = answer_upsert.on_conflict_do_update(
        index_elements=["round_id", "voter_key", "question"],
        set_={"value": answer_upsert.excluded.value, "team": answer_upsert.excluded.team})
    comment_upsert = insert(comments)
    comment_upsert = comment_upsert.on_conflict_do_update(
        index_elements=["round_id", "comment_key"],
        set_={"text": comment_upsert.excluded.text, "team": comment_upsert.excluded.team,
              "question": comment_upsert.excluded.question})
    return _Statements(
        open_rounds=open_rounds,
        open_round=sa.select(rounds.c.id).where(rounds.c.id == sa.bindparam("id"),
                                                rounds.c.state == sa.bindparam("state")),
        answer_delete=answers.delete().where(answers.c.round_id == sa.bindparam("r"),
                                             answers.c.voter_key == sa.bindparam("v"),
                                             answers.c.question == sa.bindparam("q")),
        answer_upsert=answer_upsert,
        comment_delete=comments.delete().where(comments.c.round_id == sa.bindparam("r"),
                                               comments.c.comment_key == sa.bindparam("k")),
        comment_upsert=comment_upsert,
        ledger_insert=insert(ledger).on_conflict_do_nothing(
            index_elements=["round_id", "participant_key"]),
    )


@dataclass(frozen=True)
class _Compiled:
    """One statement as SQLite SQL text and the order of its ``?`` parameters."""

    sql: str
    names: tuple[str, ...]

    @classmethod
    def of(cls, statement: sa.Executable, keys: Sequence[str] | None = None) -> _Compiled:
        compiled = statement.compile(dialect=sqlite.dialect(), column_keys=keys)  # type: ignore[attr-defined]
        return cls(str(compiled), tuple(compiled.positiontup or ()))

    def rows(self, params: Iterable[Mapping[str, Any]]) -> list[tuple[Any, ...]]:
        return [tuple(row[name] for name in self.names) for row in params]


class _SqliteSql:
    """The same statements, compiled once, run on the DBAPI cursor of the transaction.

    Why: through ``Connection.execute`` the statements of a one-ballot batch cost 150-190 us
    of CPU, mostly SQLAlchemy's execution machinery (events, execution context, result),
    against 20-50 us on the cursor (measured per batch on this machine), and at 300
    votes/s most batches hold one ballot. The SQL is SQLAlchemy's own compilation of the statements above, so the
    two paths cannot drift apart; PostgreSQL keeps ``Connection.execute``."""

    def __init__(self, sql: _Statements) -> None:
        self.open_round = _Compiled.of(sql.open_round)
        self.statements = {name: _Compiled.of(getattr(sql, name), _INSERT_KEYS.get(name))
                           for name in ("answer_delete", "answer_upsert", "comment_delete",
                                        "comment_upsert", "ledger_insert")}

    def open_ids(self, conn: Connection, rounds: Sequence[int]) -> set[int]:
        query = self.open_round
        found: set[int] = set()
        cursor = conn.connection.cursor()
        try:
            for round_id in rounds:
                cursor.execute(query.sql, query.rows([{"id": round_id, "state": "open"}])[0])
                found.update(row[0] for row in cursor.fetchall())
        finally:
            cursor.close()
        return found

    def apply(self, conn: Connection, writes: Sequence[tuple[str, list[dict[str, Any]]]]) -> None:
        cursor = conn.connection.cursor()
        try:
            for name, params in writes:
                compiled = self.statements[name]
                cursor.executemany(compiled.sql, compiled.rows(params))
        finally:
            cursor.close()


class VoteWriter:
    """One per process and database (``store.repo(VoteWriter)``): the group-commit writer
    (storage/groupcommit.py) with the ballot transaction below."""

    def __init__(self, db: Database, *, max_batch: int = MAX_BATCH) -> None:
        self._db = db
        self._sql = _statements(db.is_sqlite)
        self._sqlite = _SqliteSql(self._sql) if db.is_sqlite else None
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
        open_ids = self._open_ids(conn, sorted({op.round_id for ops in ballots for op in ops}))
        accepted = [all(op.round_id in open_ids for op in ops) for ops in ballots]
        self._apply(conn, _fold(_kept(ballots, accepted)))
        return accepted

    def _open_ids(self, conn: Connection, rounds: Sequence[int]) -> set[int]:
        if self._sqlite is not None:
            return self._sqlite.open_ids(conn, rounds)
        return set(conn.execute(self._sql.open_rounds, {"ids": rounds}).scalars())

    def _apply(self, conn: Connection, folded: _Folded) -> None:
        writes = _writes(folded)
        if self._sqlite is not None:
            self._sqlite.apply(conn, writes)
            return
        for name, params in writes:
            conn.execute(getattr(self._sql, name), params)


def _kept(ballots: Sequence[tuple[Op, ...]], accepted: list[bool]) -> list[tuple[Op, ...]]:
    return [ops for ops, ok in zip(ballots, accepted, strict=True) if ok]


def _writes(folded: _Folded) -> list[tuple[str, list[dict[str, Any]]]]:
    """The batch's statements (by ``_Statements`` field) and their rows, in order."""
    writes: list[tuple[str, list[dict[str, Any]]]] = []
    if folded.answer_deletes:
        writes.append(("answer_delete",
                       [{"r": r, "v": v, "q": q} for r, v, q in folded.answer_deletes]))
    if folded.answers:
        writes.append(("answer_upsert", list(folded.answers.values())))
    if folded.comment_deletes:
        writes.append(("comment_delete", [{"r": r, "k": k} for r, k in folded.comment_deletes]))
    if folded.comments:
        writes.append(("comment_upsert", list(folded.comments.values())))
    if folded.ledger:
        writes.append(("ledger_insert", [{"round_id": r, "participant_key": p}
                                         for r, p in sorted(folded.ledger)]))
    return writes


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

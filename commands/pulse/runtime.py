"""Per-process state of the pulse feature: the keys, a cache of round definitions (the hot
path of a vote reads no table but the writer's own) and the free-text answers being typed.

Reached as ``ctx.state(PulseRuntime)``: one per process and database, no globals. The
pending free-text state lives only in memory on purpose: "person X is writing a comment for
round R" is exactly what must never reach a table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from commands.conversations import Conversations
from commands.pulse.keys import PulseKeys, comment_key, participant_key, voter_key
from commands.pulse.questions import Question, load_questions
from commands.pulse.settings import PulseSettings
from storage.db import Database
from storage.pulse import PulseRepository, PulseRound, PulseSeries
from storage.singleflight import SingleFlight

PENDING_TEXT = timedelta(minutes=30)
GUIDE_TTL = timedelta(minutes=30)


@dataclass
class Guide:
    """A pulse being put together step by step in a DM (commands/pulse/guide.py)."""

    step: str
    touched: datetime
    title: str = ""
    team: str = ""
    questions: list[str] = field(default_factory=list)
    when: str = ""
    duration: str = ""
    reminder: str = ""
    named: bool = False


class Guides(Conversations[Guide]):
    """Open guides by person key, in memory only; one per person, forgotten after
    ``GUIDE_TTL`` of silence or a restart (nothing was stored; the person starts again)."""

    def __init__(self) -> None:
        super().__init__(GUIDE_TTL)


@dataclass(frozen=True)
class RoundInfo:
    """What answering needs to know about a round; immutable but for ``state``."""

    round_id: int
    series_id: int
    number: int
    title: str
    questions: tuple[Question, ...]
    anonymous: bool
    team: str | None
    ledger: bool
    salt: str | None
    opened_at: datetime
    closes_at: datetime
    state: str
    locale: str

    def is_open(self, now: datetime) -> bool:
        return self.state == "open" and now < self.closes_at


def round_info(series: PulseSeries, row: PulseRound) -> RoundInfo:
    assert row.id is not None and series.id is not None
    return RoundInfo(row.id, series.id, row.number, series.title,
                     tuple(load_questions(series.questions)), series.anonymous, series.team,
                     row.ledger, row.key_salt, row.opened_at, row.closes_at, row.state,
                     series.locale)


class PulseRuntime:
    def __init__(self, db: Database) -> None:
        self.repo = PulseRepository(db)
        self._keys: PulseKeys | None = None
        self._rounds: dict[int, RoundInfo] = {}
        self._loading: SingleFlight[int, RoundInfo | None] = SingleFlight()
        self._round_keys: dict[int, bytes] = {}
        self._pending: dict[str, tuple[int, int, datetime]] = {}
        self.guides = Guides()

    def keys(self, settings: PulseSettings) -> PulseKeys:
        if self._keys is None:
            self._keys = PulseKeys(key=settings.key, key_file=settings.key_file)
        return self._keys

    async def round(self, round_id: int) -> RoundInfo | None:
        found = self._rounds.get(round_id)
        if found is not None:
            return found
        # One load per round however many clicks wait for it: the first second of a pulse
        # burst on a cold cache otherwise sent one read per click and exhausted the
        # connection pool (votes failed with a pool timeout).
        return await self._loading.run(round_id, lambda: self._load_round(round_id))

    async def _load_round(self, round_id: int) -> RoundInfo | None:
        row = await self.repo.round(round_id)
        series = await self.repo.series(row.series_id) if row is not None else None
        if row is None or series is None:
            return None
        found = round_info(series, row)
        if found.state == "open":
            self._rounds[round_id] = found
        return found

    async def warm(self, settings: PulseSettings) -> int:
        """Load every open round and its key (what a vote reads) before the first vote;
        returns how many rounds. A vote that finds them cached reads no table."""
        count = 0
        for series in await self.repo.all_series(active_only=True):
            assert series.id is not None
            for row in await self.repo.rounds(series.id, limit=1):
                info = await self.round(row.id) if row.state == "open" and row.id else None
                if info is None:
                    continue
                if info.anonymous and info.salt is not None:
                    await self._round_key(settings, info)
                count += 1
        return count

    def forget_cached(self, round_id: int) -> None:
        self._rounds.pop(round_id, None)
        self._round_keys.pop(round_id, None)

    async def voter(self, settings: PulseSettings, info: RoundInfo, user_key: str) -> str:
        """The key answers are stored under: an HMAC (anonymous) or the person (named)."""
        if not info.anonymous:
            return user_key
        return voter_key(await self._round_key(settings, info), user_key)

    async def commenter(self, settings: PulseSettings, info: RoundInfo, user_key: str) -> str:
        if not info.anonymous:
            return user_key
        return comment_key(await self._round_key(settings, info), user_key)

    async def participant(self, settings: PulseSettings, info: RoundInfo, user_key: str) -> str:
        assert info.salt is not None
        ledger = await self.keys(settings).ledger_key(info.round_id, info.salt)
        return participant_key(ledger, user_key)

    async def _round_key(self, settings: PulseSettings, info: RoundInfo) -> bytes:
        key = self._round_keys.get(info.round_id)
        if key is None:
            if info.salt is None:
                raise LookupError("the key of this round has been destroyed")
            key = await self.keys(settings).round_key(info.round_id, info.salt)
            self._round_keys[info.round_id] = key
        return key

    # -- free text being typed in a DM ------------------------------------------------------
    def expect_text(self, user_key: str, round_id: int, question: int, now: datetime) -> None:
        self._pending[user_key] = (round_id, question, now + PENDING_TEXT)

    def pending_text(self, user_key: str, now: datetime) -> tuple[int, int] | None:
        found = self._pending.get(user_key)
        if found is None:
            return None
        if found[2] <= now:
            del self._pending[user_key]
            return None
        return found[0], found[1]

    def clear_text(self, user_key: str) -> None:
        self._pending.pop(user_key, None)


"""Keys of anonymous pulses: a master secret outside the database, a key per round.

- The master secret comes from ``HARTSLAG_PULSE_KEY`` (``[pulse] key``) or from
  ``[pulse] key_file`` (created with 32 random bytes on first use, mode 0600). Keep either
  out of database backups. Without both, a random secret lives in memory only (demo): after a
  restart answering again adds an answer instead of replacing it.
- A round's key is ``HMAC(master, "hartslag/pulse/round/v1|<round id>|<salt>")``. It is never
  stored; the random salt is in ``pulse_round.key_salt``. Neither half alone gives the key.
- Destroying a round's key (``key_days`` after close) deletes the salt and replaces every
  voter key by a random token (storage/pulse.py ``forget_round``), so even the master secret
  plus the database no longer tell who answered what. Backups made before that still hold
  the salt: keep backup retention shorter than you promise, or encrypt backups.
- From the round key: the voter key (one answer per person, replaced when answering again),
  a different comment key (free text cannot be joined to the same person's answers) and, from
  a separately labelled key, the participation key of the opt-in ledger.
- The audience key (one for all rounds, from the master): keyed hashes of who was *invited* to
  a shown result, so the differencing rule across time can compare audiences
  (commands/pulse/audience.py). Never who answered.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import os
import secrets
from pathlib import Path

log = logging.getLogger("hartslag.pulse.keys")


def _mac(key: bytes, label: str) -> bytes:
    return hmac.new(key, label.encode("utf-8"), hashlib.sha256).digest()


class PulseKeys:
    """Per process: loads the master secret once and derives the other keys."""

    def __init__(self, *, key: str = "", key_file: str = "") -> None:
        self._key = key
        self._key_file = key_file
        self._master: bytes | None = None
        self.ephemeral = False

    async def master(self) -> bytes:
        if self._master is None:
            if self._key:
                self._master = _mac(self._key.encode("utf-8"), "hartslag/pulse/master/v1")
            elif self._key_file:
                self._master = await asyncio.to_thread(_read_or_create, Path(self._key_file))
            else:
                log.warning("no pulse key configured ([pulse] key or key_file): using a random "
                            "key in memory; answers cannot be replaced after a restart")
                self._master = secrets.token_bytes(32)
                self.ephemeral = True
        return self._master

    async def round_key(self, round_id: int, salt: str) -> bytes:
        return _mac(await self.master(), f"hartslag/pulse/round/v1|{round_id}|{salt}")

    async def ledger_key(self, round_id: int, salt: str) -> bytes:
        return _mac(await self.master(), f"hartslag/pulse/ledger/v1|{round_id}|{salt}")

    async def audience_key(self) -> bytes:
        """One key for every round: audience snapshots must be comparable across rounds."""
        return _mac(await self.master(), "hartslag/pulse/audience/v1")


# The keys per person use hmac.digest: the same HMAC-SHA256 as hmac.new(...).hexdigest(), in
# one native call instead of an HMAC object per vote.
def voter_key(round_key: bytes, user_key: str) -> str:
    return hmac.digest(round_key, f"voter|{user_key}".encode(), "sha256").hex()


def comment_key(round_key: bytes, user_key: str) -> str:
    return hmac.digest(round_key, f"comment|{user_key}".encode(), "sha256").hex()


def participant_key(ledger_key: bytes, user_key: str) -> str:
    return hmac.digest(ledger_key, f"participant|{user_key}".encode(), "sha256").hex()


def member_key(audience_key: bytes, user_key: str) -> str:
    """A person in an audience snapshot (who was invited, never who answered)."""
    return hmac.digest(audience_key, f"member|{user_key}".encode(), "sha256").hex()[:32]


def _read_or_create(path: Path) -> bytes:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32) + "\n")
    text = path.read_text(encoding="utf-8").strip()
    if len(text) < 32:
        raise ValueError(f"pulse.key_file: {path} holds fewer than 32 characters")
    return _mac(text.encode("utf-8"), "hartslag/pulse/master/v1")

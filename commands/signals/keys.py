"""Key material of the signals feature, held outside the database.

- The relay key (AES-256-GCM) seals the case -> sender mapping. AES-GCM rather than Fernet on
  purpose: a Fernet token carries its creation time in clear, which would undo the promise that
  only the day a signal arrived is stored. Plaintexts are padded to a fixed size so the length
  of a sealed mapping does not hint at the length of a user id.
- The HMAC secret derives per-purpose keys: the rate limit (a new key per period), blocks and
  the hash of a sender's case code. A plain hash of a user id can be reversed by trying every
  id; a keyed hash cannot without the secret, which never enters the database.

Keys come from the settings (environment ``HARTSLAG_SIGNALS_RELAY_KEY`` /
``HARTSLAG_SIGNALS_HMAC_SECRET``) or key files; the embedded demo creates key files next to the
SQLite database and logs a warning. Several relay keys (comma-separated) allow rotation: the
first seals, each unseals.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import hmac
import logging
import os
import secrets
from collections.abc import Sequence
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy.engine import make_url

from commands.signals.settings import SignalSettings
from storage.db import Database

log = logging.getLogger("hartslag.signals")

NONCE_BYTES = 12
PAD_BLOCK = 512
RELAY_FILE = "signals-relay.key"
HMAC_FILE = "signals-hmac.key"


class KeyConfigError(RuntimeError):
    """The keys are missing or malformed; the message names the setting (never a key)."""


def new_key() -> str:
    """A fresh 32-byte key, urlsafe base64: for the relay key or the HMAC secret."""
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def _decode(value: str, what: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(value.strip() + "=" * (-len(value.strip()) % 4))
    except (binascii.Error, ValueError):
        raise KeyConfigError(f"{what}: not urlsafe base64 (make one with `hartslag signals keygen`)") from None
    if len(raw) != 32:
        raise KeyConfigError(f"{what}: must be 32 bytes, base64 encoded (`hartslag signals keygen`)")
    return raw


class SignalKeys:
    """Seal/unseal relay mappings and compute keyed hashes. Never printed or logged."""

    def __init__(self, relay_keys: Sequence[bytes], hmac_secrets: bytes | Sequence[bytes]) -> None:
        if not relay_keys:
            raise KeyConfigError("signals.relay_key: missing")
        self._relay = [AESGCM(key) for key in relay_keys]
        self._secrets = [hmac_secrets] if isinstance(hmac_secrets, bytes) else list(hmac_secrets)
        if not self._secrets:
            raise KeyConfigError("signals.hmac_secret: missing")

    def __repr__(self) -> str:
        return "SignalKeys(<withheld>)"

    def seal(self, plaintext: bytes, *, case: str) -> str:
        """Encrypt with the first relay key; the case ref is bound as associated data."""
        size = max(PAD_BLOCK, -(-(len(plaintext) + 2) // PAD_BLOCK) * PAD_BLOCK)
        padded = len(plaintext).to_bytes(2, "big") + plaintext + b"\0" * (size - len(plaintext) - 2)
        nonce = os.urandom(NONCE_BYTES)
        sealed = nonce + self._relay[0].encrypt(nonce, padded, case.encode())
        return base64.urlsafe_b64encode(sealed).decode()

    def unseal(self, token: str, *, case: str) -> bytes | None:
        """The plaintext, or None when no configured key opens it (rotated away, tampered)."""
        try:
            raw = base64.urlsafe_b64decode(token.encode())
        except (binascii.Error, ValueError):
            return None
        nonce, body = raw[:NONCE_BYTES], raw[NONCE_BYTES:]
        for aead in self._relay:
            try:
                padded = aead.decrypt(nonce, body, case.encode())
            except InvalidTag:
                continue
            length = int.from_bytes(padded[:2], "big")
            return padded[2:2 + length]
        return None

    def keyed(self, purpose: str, value: str) -> str:
        """HMAC-SHA256 of ``value`` under a key derived for ``purpose`` (e.g. ``rate:2961``)
        from the first (current) HMAC secret: what new rows are written with."""
        return _keyed(self._secrets[0], purpose, value)

    def keyed_all(self, purpose: str, value: str) -> tuple[str, ...]:
        """The hash under every configured secret (current first): what lookups try, so rows
        written before a rotation are still found while the old secret is configured."""
        return tuple(_keyed(secret, purpose, value) for secret in self._secrets)


class SignalKeyring:
    """Loads the keys once per process (per-process state: ``ctx.state(SignalKeyring)``).

    It takes the Database only to find the data directory of an embedded SQLite demo."""

    def __init__(self, db: Database) -> None:
        self._db_url = db.url
        self._keys: SignalKeys | None = None
        self._lock = asyncio.Lock()

    async def keys(self, settings: SignalSettings) -> SignalKeys:
        if self._keys is None:
            async with self._lock:
                if self._keys is None:
                    self._keys = await asyncio.to_thread(self._load, settings)
        return self._keys

    def _load(self, settings: SignalSettings) -> SignalKeys:
        relay = settings.relay_key.get_secret_value()
        secret = settings.hmac_secret.get_secret_value()
        if not relay and settings.relay_key_file:
            relay = _read(settings.relay_key_file, "signals.relay_key_file")
        if not secret and settings.hmac_secret_file:
            secret = _read(settings.hmac_secret_file, "signals.hmac_secret_file")
        if not relay or not secret:
            if not settings.allow_demo_keys:
                missing = "relay_key" if not relay else "hmac_secret"
                raise KeyConfigError(
                    f"signals.{missing}: missing (set HARTSLAG_SIGNALS_{missing.upper()} or "
                    f"signals.{missing}_file)"
                )
            folder = self.demo_dir(settings)
            relay = relay or _demo_file(folder / RELAY_FILE)
            secret = secret or _demo_file(folder / HMAC_FILE)
        relay_keys = [_decode(part, "signals.relay_key") for part in _parts(relay)]
        return SignalKeys(relay_keys, [_decode(part, "signals.hmac_secret") for part in _parts(secret)])

    def demo_dir(self, settings: SignalSettings) -> Path:
        if settings.demo_key_dir:
            return Path(settings.demo_key_dir)
        database = make_url(self._db_url).database if self._db_url.startswith("sqlite") else None
        if database and database != ":memory:":
            return Path(database).resolve().parent / "hartslag-keys"
        return Path.cwd() / "hartslag-keys"


def _keyed(secret: bytes, purpose: str, value: str) -> str:
    key = hmac.new(secret, purpose.encode(), hashlib.sha256).digest()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()[:48]


def _parts(value: str) -> list[str]:
    """Comma- or line-separated keys, the current one first."""
    return [part.strip() for part in value.replace("\n", ",").split(",") if part.strip()]


def _read(path: str, what: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise KeyConfigError(f"{what}: cannot read the key file ({exc.strerror})") from None


def _demo_file(path: Path) -> str:
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = new_key()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key + "\n")
    log.warning(
        "signals: no key configured, created a demo key file outside the database; fine for "
        "trying hartslag, not for production (set HARTSLAG_SIGNALS_RELAY_KEY and "
        "HARTSLAG_SIGNALS_HMAC_SECRET)",
        extra={"key_file": str(path)},
    )
    return key

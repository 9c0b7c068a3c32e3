"""Cross-signing for the bot account, which matrix-nio does not implement.

Clients that "exclude insecure devices" (Element's invisible crypto) only share room keys
with, and only trust messages from, devices their owner has cross-signed. So at every start
the bot makes sure that:

1. its account has a master key and a self-signing key (and a user-signing key, which the
   spec's set-up includes), generated once and kept in ``data_dir/cross_signing.json``
   (mode 0600, like the access token in ``session.json``): the private seeds never leave
   this file, the homeserver only gets the public keys;
2. the homeserver has exactly those keys: ``POST /keys/device_signing/upload``. A first
   upload needs no password (MSC3967, Synapse since 1.9x); replacing keys someone else set up
   needs the account password (user-interactive auth ``m.login.password``);
3. the current device key carries a signature of the self-signing key:
   ``POST /keys/signatures/upload``. A new device (a new login) is signed at its first start.

Signatures are ed25519 (``cryptography``) over the spec's canonical JSON of the object without
``signatures`` and ``unsigned``.
"""

from __future__ import annotations

import base64
import json
import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aiohttp import ClientError
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from nio import AsyncClient

from bots.matrix.state import JsonFile
from bots.matrix.workarounds import raw_call

log = logging.getLogger("hartslag.matrix")

USAGES = ("master", "self_signing", "user_signing")
KEYS_QUERY = "/_matrix/client/v3/keys/query"
SIGNING_UPLOAD = "/_matrix/client/v3/keys/device_signing/upload"
SIGNATURES_UPLOAD = "/_matrix/client/v3/keys/signatures/upload"


class CrossSigningError(RuntimeError):
    """The homeserver refused a step; the message says what the operator can do."""


def canonical_json(value: Mapping[str, Any]) -> bytes:
    """The spec's canonical JSON: sorted keys, no spaces, UTF-8 (not ``\\u`` escapes)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")


def unpadded(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii").rstrip("=")


def signable(value: Mapping[str, Any]) -> dict[str, Any]:
    """What a signature covers: the object without ``signatures`` and ``unsigned``."""
    return {k: v for k, v in value.items() if k not in ("signatures", "unsigned")}


@dataclass(frozen=True)
class SigningKey:
    """One ed25519 key pair from its 32-byte seed; ``public`` is also its key id."""

    seed: bytes

    @property
    def _private(self) -> Ed25519PrivateKey:
        return Ed25519PrivateKey.from_private_bytes(self.seed)

    @property
    def public(self) -> str:
        raw = self._private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        return unpadded(raw)

    @property
    def key_id(self) -> str:
        return f"ed25519:{self.public}"

    def sign(self, value: Mapping[str, Any], user_id: str) -> dict[str, Any]:
        """``value`` with this key's signature added under ``signatures[user_id]``."""
        signature = unpadded(self._private.sign(canonical_json(signable(value))))
        signed = dict(value)
        signatures = {u: dict(s) for u, s in (value.get("signatures") or {}).items()}
        signatures.setdefault(user_id, {})[self.key_id] = signature
        signed["signatures"] = signatures
        return signed


@dataclass(frozen=True)
class Identity:
    """The account's three cross-signing keys."""

    master: SigningKey
    self_signing: SigningKey
    user_signing: SigningKey

    @classmethod
    def generate(cls) -> Identity:
        return cls(*(SigningKey(secrets.token_bytes(32)) for _ in USAGES))

    @classmethod
    def from_file(cls, data: Mapping[str, Any]) -> Identity | None:
        try:
            seeds = [base64.b64decode(str(data[usage]) + "==") for usage in USAGES]
        except (KeyError, ValueError):
            return None
        if any(len(seed) != 32 for seed in seeds):
            return None
        return cls(*(SigningKey(seed) for seed in seeds))

    def to_file(self, user_id: str) -> dict[str, str]:
        keys = (self.master, self.self_signing, self.user_signing)
        return {"user_id": user_id,
                **{usage: unpadded(key.seed) for usage, key in zip(USAGES, keys, strict=True)}}

    def public_keys(self, user_id: str) -> dict[str, dict[str, Any]]:
        """The body of ``device_signing/upload``: the master key signs the other two."""
        def key(usage: str, pair: SigningKey) -> dict[str, Any]:
            return {"user_id": user_id, "usage": [usage], "keys": {pair.key_id: pair.public}}

        return {
            "master_key": key("master", self.master),
            "self_signing_key": self.master.sign(key("self_signing", self.self_signing),
                                                 user_id),
            "user_signing_key": self.master.sign(key("user_signing", self.user_signing),
                                                 user_id),
        }


class CrossSigning:
    """Keeps the bot account cross-signed: call ``ensure()`` after the device keys are up."""

    def __init__(self, client: AsyncClient, file: JsonFile, *, password: str = "") -> None:
        self._client = client
        self._file = file
        self._password = password

    async def ensure(self) -> Identity:
        user_id = str(self._client.user_id)
        identity = await self._identity(user_id)
        published = await self._query(user_id)
        if _public(published.get("master_keys"), user_id) != identity.master.public or \
                _public(published.get("self_signing_keys"), user_id) != \
                identity.self_signing.public:
            await self._upload_identity(identity, user_id)
            log.info("matrix cross-signing keys published")
        device = (published.get("device_keys") or {}).get(user_id, {}).get(
            str(self._client.device_id))
        if not isinstance(device, Mapping):
            raise CrossSigningError("matrix cross-signing: the homeserver does not list this "
                                    "device's keys yet")
        if identity.self_signing.key_id not in (device.get("signatures") or {}).get(user_id, {}):
            signed = identity.self_signing.sign(signable(device), user_id)
            answer = await self._post(SIGNATURES_UPLOAD,
                                      {user_id: {str(self._client.device_id): signed}})
            failures = answer.get("failures") or {}
            if failures:
                raise CrossSigningError(f"matrix cross-signing: device signature refused "
                                        f"({json.dumps(failures)[:300]})")
            log.info("matrix device cross-signed")
        return identity

    async def _identity(self, user_id: str) -> Identity:
        """The stored keys of this account, or new ones (saved before they are published, so
        a crash in between cannot leave the homeserver with keys nobody has)."""
        data = self._file.load()
        identity = Identity.from_file(data) if data.get("user_id") == user_id else None
        if identity is None:
            identity = Identity.generate()
            await self._file.save(identity.to_file(user_id))
        return identity

    async def _query(self, user_id: str) -> dict[str, Any]:
        return await self._post(KEYS_QUERY, {"device_keys": {user_id: []}})

    async def _upload_identity(self, identity: Identity, user_id: str) -> None:
        body: dict[str, Any] = identity.public_keys(user_id)
        status, answer = await self._request(SIGNING_UPLOAD, body)
        if status == 401 and "flows" in answer:
            if not self._password:
                raise CrossSigningError(
                    "matrix cross-signing: the account already has other cross-signing keys; "
                    "replacing them needs the account password once (matrix.password / "
                    "HARTSLAG_MATRIX_PASSWORD)")
            body["auth"] = {"type": "m.login.password", "session": answer.get("session"),
                            "identifier": {"type": "m.id.user", "user": user_id},
                            "password": self._password}
            status, answer = await self._request(SIGNING_UPLOAD, body)
        if status != 200:
            raise CrossSigningError(f"matrix cross-signing: key upload refused "
                                    f"({answer.get('errcode') or status})")

    async def _post(self, path: str, body: Mapping[str, Any]) -> dict[str, Any]:
        status, answer = await self._request(path, body)
        if status != 200:
            raise CrossSigningError(f"matrix cross-signing: {path.rsplit('/', 2)[-2]} refused "
                                    f"({answer.get('errcode') or status})")
        return answer

    async def _request(self, path: str, body: Mapping[str, Any]) -> tuple[int, dict[str, Any]]:
        """A raw client-server call on nio's session (nio wraps none of these endpoints)."""
        try:
            answer = await raw_call(self._client, "POST", path, body)
        except (ClientError, TimeoutError, OSError, ValueError) as exc:
            raise CrossSigningError(f"matrix cross-signing: {type(exc).__name__}") from exc
        return answer.status, answer.body if isinstance(answer.body, dict) else {}


def _public(keys: Any, user_id: str) -> str | None:
    """The public key of a user's cross-signing key in a ``keys/query`` answer."""
    found = (keys or {}).get(user_id) if isinstance(keys, Mapping) else None
    values = list((found or {}).get("keys", {}).values()) if isinstance(found, Mapping) else []
    return str(values[0]) if len(values) == 1 else None

"""Open the nio client: E2EE store in the data directory, and the same device every time.

A restart must keep the device: the crypto store is keyed by device id, and a fresh login
makes a new device whose keys nobody has. So the login is restored from the configured
access token (device id from the config or from ``whoami``), or, with a password, from the
``session.json`` the first password login wrote.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

from nio import AsyncClient, AsyncClientConfig, LoginResponse, WhoamiResponse

from bots.matrix.settings import MatrixSettings
from bots.matrix.state import JsonFile

log = logging.getLogger("hartslag.matrix")


class MatrixLoginError(RuntimeError):
    """The homeserver refused the configured credentials; the message names the key."""


@dataclass(frozen=True)
class Paths:
    root: Path

    @property
    def store(self) -> Path:
        return self.root / "store"

    def file(self, name: str) -> JsonFile:
        return JsonFile(self.root / name)

    def create(self) -> None:
        # The store holds private keys: readable by the service account only.
        self.store.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(self.root, 0o700)


def client_config(settings: MatrixSettings) -> AsyncClientConfig:
    """nio settings: E2EE with stored sync tokens; 429s and timeouts are ours to handle."""
    extra = {"pickle_key": settings.store_passphrase} if settings.store_passphrase else {}
    return AsyncClientConfig(
        encryption_enabled=True,
        store_sync_tokens=True,
        max_limit_exceeded=0,  # nio would otherwise sleep and retry 429s forever
        max_timeouts=2,
        request_timeout=30,
        **extra,
    )


def build_client(settings: MatrixSettings, paths: Paths) -> AsyncClient:
    """The client, not yet logged in (no I/O until ``login``)."""
    return AsyncClient(settings.homeserver.rstrip("/"), settings.user_id,
                       store_path=str(paths.store), config=client_config(settings))


async def login(client: AsyncClient, settings: MatrixSettings, paths: Paths) -> None:
    """Restore or create the login and load the crypto store of that device."""
    paths.create()
    saved = paths.file("session.json")
    if settings.access_token:
        client.access_token = settings.access_token
        device_id = settings.device_id or await _whoami_device(client, settings)
        client.restore_login(settings.user_id, device_id, settings.access_token)
        return
    session = saved.load()
    if session.get("user_id") == settings.user_id and session.get("access_token"):
        client.restore_login(settings.user_id, session["device_id"], session["access_token"])
        if await _token_works(client):
            return
        log.warning("stored matrix session rejected; logging in again on the same device")
        client.device_id = session["device_id"]
    device_id = settings.device_id or str(session.get("device_id") or "")
    if device_id:
        client.device_id = device_id
    answer = await client.login(settings.password, device_name=settings.device_name)
    if not isinstance(answer, LoginResponse):
        raise MatrixLoginError(f"matrix.password: login refused ({answer.message})")
    await saved.save({"user_id": answer.user_id, "device_id": answer.device_id,
                      "access_token": answer.access_token})


async def _whoami_device(client: AsyncClient, settings: MatrixSettings) -> str:
    answer = await client.whoami()
    if not isinstance(answer, WhoamiResponse):
        raise MatrixLoginError(f"matrix.access_token: refused by the homeserver ({answer.message})")
    if answer.user_id != settings.user_id:
        raise MatrixLoginError(
            f"matrix.user_id: the access token belongs to {answer.user_id}, not {settings.user_id}"
        )
    if not answer.device_id:
        raise MatrixLoginError("matrix.device_id: missing and the homeserver did not say it")
    return str(answer.device_id)


async def _token_works(client: AsyncClient) -> bool:
    return isinstance(await client.whoami(), WhoamiResponse)

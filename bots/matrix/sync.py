"""The sync loop: one long-poll after another, with the E2EE housekeeping in between.

Our own loop instead of nio's ``sync_forever`` because that one spins without pause on an
error answer and has no notion of health. The first sync is done by ``first_sync`` before
the adapter handles anything; it asks for the full state because nio keeps room state (who
is in a room, whether it is encrypted) only in memory, while the sync token is stored.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from aiohttp import ClientError
from nio import AsyncClient, SyncError, SyncResponse

from commands.logsafe import error_fields

log = logging.getLogger("hartslag.matrix")

# A fresh start (no stored token) must not replay history: one event per room is enough.
FRESH_FILTER: dict[str, Any] = {"room": {"timeline": {"limit": 1}}}
MAX_BACKOFF = 60.0


class SyncLoop:
    """Owns the named sync task; ``synced`` wakes waiters after every successful sync."""

    def __init__(self, client: AsyncClient, *, timeout_ms: int) -> None:
        self._client = client
        self._timeout_ms = timeout_ms
        self._task: asyncio.Task[None] | None = None
        self._synced = asyncio.Condition()
        self.last_ok: float | None = None
        self.problem: str | None = "not started"

    async def first_sync(self) -> bool:
        """Sync once with the full state; True when a stored token was resumed (so the events
        in it are new since the last run), False on a fresh start (history only)."""
        resumed = bool(self._client.loaded_sync_token)
        try:
            answer = await self._client.sync(timeout=0, full_state=True,
                                             sync_filter=None if resumed else FRESH_FILTER)
        except (ClientError, TimeoutError, OSError) as exc:
            self.problem = f"homeserver unreachable: {type(exc).__name__}"
            raise RuntimeError(f"matrix.homeserver: cannot reach {self._client.homeserver} "
                               f"({type(exc).__name__}: {exc})") from None
        if not isinstance(answer, SyncResponse):
            self.problem = f"first sync failed: {answer.status_code or answer.message}"
            raise RuntimeError(f"matrix: first sync refused ({answer}); check "
                               "matrix.access_token / matrix.user_id")
        await self._housekeeping()
        self._mark_ok()
        return resumed

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="hartslag.matrix.sync")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        self.problem = "stopped"

    async def wait(self, seconds: float) -> bool:
        """Wait for the next successful sync; False when ``seconds`` pass first."""
        async with self._synced:
            try:
                async with asyncio.timeout(seconds):
                    await self._synced.wait()
            except TimeoutError:
                return False
        return True

    async def _run(self) -> None:
        failures = 0
        while True:
            try:
                answer = await self._client.sync(timeout=self._timeout_ms)
                if isinstance(answer, SyncError):
                    failures += 1
                    await self._failed(str(answer.status_code or answer.message), failures,
                                       answer.retry_after_ms)
                    continue
                await self._housekeeping()
                failures = 0
                self._mark_ok()
                async with self._synced:
                    self._synced.notify_all()
            except asyncio.CancelledError:
                raise
            except (ClientError, TimeoutError, OSError) as exc:
                failures += 1
                await self._failed(type(exc).__name__, failures, None)
            except Exception as exc:
                # A bug in an event callback must not end the bot's only connection.
                failures += 1
                log.error("matrix sync round failed", extra=error_fields(exc))
                await self._failed("internal error", failures, None)

    async def _failed(self, reason: str, failures: int, retry_after_ms: int | None) -> None:
        self.problem = f"sync failing: {reason}"
        delay = retry_after_ms / 1000 if retry_after_ms else min(MAX_BACKOFF, 0.5 * 2**failures)
        log.warning("matrix sync failed", extra={"reason": reason, "retry_in": delay})
        await asyncio.sleep(delay)

    def _mark_ok(self) -> None:
        self.last_ok = time.monotonic()
        self.problem = None

    async def _housekeeping(self) -> None:
        """What nio's sync_forever does between syncs: publish and fetch device keys, claim
        one-time keys, flush to-device messages (room keys for other people's devices)."""
        client = self._client
        if client.should_upload_keys:
            await client.keys_upload()
        if client.should_query_keys:
            await client.keys_query()
        if client.should_claim_keys:
            await client.keys_claim(client.get_users_for_key_claiming())
        await client.send_to_device_messages()

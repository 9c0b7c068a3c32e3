"""The delivery engine: every post is an outbox row, sent once, rate limited, retried.

A row's life: ``pending`` -> leased by one dispatcher -> ``sending`` (committed *before* the
platform call) -> ``sent`` with the platform message id | ``pending`` again with a later
``next_attempt_at`` (retryable error; Retry-After honoured) | ``failed`` (permanent, or out of
attempts) | ``ambiguous`` (we cannot know whether the platform posted it: the process died
while "sending", or the call raised something other than ``DeliveryError``).

The rule for ambiguous rows, checked before any resend:

1. If the platform port has ``find_delivery(address_or_user, delivery_id)`` (Slack: message
   metadata in recent history; Teams: the stored activity id), ask it: found -> ``sent`` with
   that message id, not found -> resend.
2. Else, on a platform whose send is idempotent by delivery id (``[delivery]
   idempotent_platforms``, default Matrix, whose transaction id is the delivery id, and the
   local chat), resend with the same delivery id.
3. Else the row stays ``ambiguous`` for good and is reported as "uncertain": a missing post
   can be resent by the author; a double post in 5,000 inboxes cannot be taken back.

A lookup that fails (the platform could not be asked) is no send: it counts in ``lookups``,
not ``attempts``; a 429 on a lookup parks the row without counting. After ``max_lookups``
failed lookups, or one the platform refuses for good, the row is settled "uncertain" by rule
3: never resent, logged (counts only) and its batch's author gets a direct message (once per
batch) saying some posts may be missing and the report lists them.

Rate limits: a row takes its rate-limit tokens *before* it is marked "sending", so after a
crash only the rows really handed to the platform need a lookup. A 429 blocks the scope the
platform limits (``PlatformLimits.blocks``; see scheduling/buckets.py), in clock time.

``DeliveryError`` from a port means "not posted" (adapters raise it only when the platform
refused the request). Attempts are bounded (``max_attempts``); a 429 with Retry-After does
not use up an attempt, it only waits.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from commands.clock import Clock
from commands.delivery import Delivery
from commands.i18n import DEFAULT_LOCALE, Catalog
from commands.logsafe import error_fields
from commands.metrics import Metrics
from commands.model import Address, MessageRef, OutgoingMessage, UserRef
from commands.port import ChatPort, DeliveryError, MultiPort
from scheduling import Runner
from scheduling.backoff import backoff_seconds
from scheduling.buckets import Blocks, RateLimited, RateLimiter
from scheduling.codec import (
    delivery_id,
    digest,
    message_from_json,
    message_to_json,
    recipient_from_json,
    recipient_to_json,
    ref_to_json,
)
from scheduling.missed import owner_ref
from scheduling.progress import BatchProgress, batch_progress
from scheduling.settings import DeliverySettings
from storage.db import Database
from storage.groupcommit import GroupCommit
from storage.outbox import Change, OutboxBatch, OutboxRepository, OutboxRow, Renew, Taken
from storage.scheduling import instance_name
from storage.singleflight import SingleFlight

log = logging.getLogger("hartslag.outbox")

Finder = Callable[[Any, str], Awaitable[MessageRef | None]]
PURGE_EVERY = 3600.0  # seconds between retention purges

MESSAGES = Catalog(
    "outbox",
    {
        "nl": {
            "uncertain": (
                "Van de verzending **{batch}** is niet met zekerheid vast te stellen of elk "
                "bericht is geplaatst: hartslag kon het platform er niet naar vragen. Die "
                "berichten worden niet opnieuw verstuurd (een dubbel bericht is niet terug te "
                "nemen); het rapport van de verzending toont ze als onzeker."
            ),
        },
        "en": {
            "uncertain": (
                "For the delivery **{batch}** hartslag cannot tell for sure whether every "
                "message was posted: it could not ask the platform. Those messages are not "
                "sent again (a double post cannot be taken back); the delivery's report "
                "lists them as uncertain."
            ),
        },
    },
)


class Outbox:
    """Implements ``commands.delivery.DeliveryPort`` plus ``start``/``stop``/``drain``."""

    def __init__(
        self,
        db: Database,
        port: ChatPort,
        *,
        clock: Clock,
        metrics: Metrics,
        runner: Runner | None = None,
        settings: DeliverySettings | None = None,
        instance: str | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._repo = OutboxRepository(db)
        self._port = port
        self._clock = clock
        self._metrics = metrics
        self._runner = runner
        self._settings = settings or DeliverySettings()
        self.instance = instance or instance_name()
        shared = self._settings.shared_budget and not db.is_sqlite
        self._limiter = RateLimiter(self._settings.limits_for, monotonic=monotonic,
                                    headroom=self._settings.rate_headroom,
                                    grant=self._repo.grant if shared else None,
                                    grant_max=self._settings.budget_grant_max,
                                    tolerance=self._settings.budget_tolerance_seconds)
        self._writer: GroupCommit[Change | Renew, bool] = GroupCommit(
            self._repo.apply, name="hartslag.outbox.writer")
        self._lease = timedelta(seconds=self._settings.lease_seconds)
        self._batches: dict[str, OutboxBatch] = {}
        self._batch_reads: SingleFlight[str, OutboxBatch | None] = SingleFlight()
        self._blocks = Blocks()
        self._installation: str | None = None
        # Operator counts since the last summary line (no text, no people: just numbers).
        self._tally: dict[str, int] = {}
        self._inflight: set[asyncio.Task[None]] = set()
        self._wake = asyncio.Event()
        self._taking = asyncio.Lock()
        self._next_purge = 0.0
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._monotonic = monotonic

    # -- DeliveryPort --------------------------------------------------------------------
    async def enqueue(
        self,
        deliveries: Sequence[Delivery],
        *,
        batch: str,
        owner: str | None = None,
        on_sent: str | None = None,
    ) -> str:
        """Store one row per distinct target, atomically. The same ``batch`` again adds
        nothing (a retried job cannot double a fan-out)."""
        if not batch or len(batch) > 200:
            raise ValueError("batch must be 1-200 characters")
        now = self._clock.now()
        if self._installation is None:
            self._installation = await self._repo.installation_id()
        bodies: dict[str, str] = {}
        rows: list[dict[str, Any]] = []
        seen: set[str] = set()
        for item in deliveries:
            row = _row(item, batch, now, self._installation)
            if row["target"] in seen:
                continue
            seen.add(row["target"])
            body = message_to_json(item.message)
            row["digest"] = digest(body)
            bodies[row["digest"]] = body
            rows.append(row)
        record = OutboxBatch(batch=batch, owner=owner, on_sent=on_sent, total=len(rows),
                             created_at=now)
        if await self._repo.enqueue(record, bodies, rows):
            self._metrics.queue_depth.inc(len(rows))
            self._wake.set()
        return batch

    async def report(self, batch: str) -> BatchProgress:
        """Counts, rate, ETA and one status per target."""
        return await self._progress(batch, items=True)

    async def _progress(self, batch: str, *, items: bool) -> BatchProgress:
        window = timedelta(seconds=self._settings.progress_window_seconds)
        return await batch_progress(self._repo, batch, now=self._clock.now(), window=window,
                                    items=items)

    async def progress(self, batch: str) -> BatchProgress:
        """Like ``report`` without the per-target items: cheap enough to poll."""
        return await self._progress(batch, items=False)

    async def set_paused(self, batch: str, paused: bool) -> None:
        await self._repo.set_paused(batch, paused)
        self._batches.pop(batch, None)
        self._batch_reads.forget(batch)
        if not paused:
            self._wake.set()

    async def cancel(self, batch: str) -> int:
        """Cancel every row not yet handed to the platform; returns how many."""
        cancelled = await self._repo.cancel(batch)
        self._metrics.queue_depth.dec(cancelled)
        return cancelled

    # -- running -------------------------------------------------------------------------
    async def start(self) -> None:
        """Start the dispatcher task."""
        if self._task is None:
            self._stopping = False
            self._task = asyncio.create_task(self._dispatch(), name="hartslag.outbox.dispatch")

    async def stop(self, *, grace: float = 10.0) -> None:
        """Take no new rows, let sends in flight finish (up to ``grace`` s), release leases."""
        self._stopping = True
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._inflight:
            _, late = await asyncio.wait(set(self._inflight), timeout=grace)
            for straggler in late:
                straggler.cancel()
        with contextlib.suppress(Exception):
            await self._repo.release(self.instance)

    async def drain(self) -> int:
        """Send every row that is due now and wait for the outcome, also of sends the
        running dispatcher has in flight; returns rows this call handled. Rows waiting for
        a retry later (per the clock) stay pending."""
        await self._repo.reap(now=self._clock.now(), owner=self.instance)
        handled = 0
        while True:
            async with self._taking:  # so rows the dispatcher took are in _inflight
                taken = await self._repo.take(
                    self.instance, now=self._clock.now(), lease=self._lease,
                    limit=self._settings.max_in_flight)
            if taken:
                await asyncio.gather(*(self._deliver(item) for item in taken))
                handled += len(taken)
            elif self._inflight:
                await asyncio.wait(set(self._inflight))  # the dispatcher's sends finish too
            else:
                break
        await self._renotify()
        self._metrics.queue_depth.set(await self._repo.depth())
        return handled

    async def _dispatch(self) -> None:
        next_housekeeping = 0.0
        with contextlib.suppress(Exception):
            await self._renotify()
        while not self._stopping:
            try:
                if self._monotonic() >= next_housekeeping:
                    next_housekeeping = self._monotonic() + self._settings.lease_seconds / 3
                    await self._housekeeping()
                room = self._settings.max_in_flight - len(self._inflight)
                taken: list[Taken] = []
                if room > 0:
                    async with self._taking:
                        taken = await self._repo.take(self.instance, now=self._clock.now(),
                                                      lease=self._lease, limit=room)
                        for item in taken:
                            self._spawn(item)
                if taken and len(taken) == room:
                    continue
                await self._idle()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.error("outbox dispatcher failed; retrying", extra=error_fields(exc))
                self._metrics.errors.labels("outbox").inc()
                await asyncio.sleep(self._settings.poll_seconds)

    async def purge(self) -> int:
        """Delete finished rows older than ``retention_days``; returns how many."""
        before = self._clock.now() - timedelta(days=self._settings.retention_days)
        return await self._repo.purge(before=before)

    async def _housekeeping(self) -> None:
        now = self._clock.now()
        if self._monotonic() >= self._next_purge:
            self._next_purge = self._monotonic() + PURGE_EVERY
            await self.purge()
        await self._writer.write(Renew(self.instance, now + self._lease))
        reaped = await self._repo.reap(now=now, owner=self.instance)
        if reaped:
            log.warning("rows interrupted while sending; reconciling before any resend",
                        extra={"rows": reaped})
        self._metrics.queue_depth.set(await self._repo.depth())
        self.log_summary()

    def _count(self, what: str, n: int = 1) -> None:
        self._tally[what] = self._tally.get(what, 0) + n

    def log_summary(self) -> dict[str, int]:
        """One operator line with the counts since the last one (failed lookups, rows left
        uncertain, rate-limit blocks); nothing when all is quiet. Returns the counts."""
        tally, self._tally = self._tally, {}
        if tally:
            log.warning("delivery summary", extra={"counts": dict(sorted(tally.items()))})
        return tally

    async def _idle(self) -> None:
        self._wake.clear()
        waiter = asyncio.ensure_future(self._wake.wait())
        try:
            await asyncio.wait({waiter, *self._inflight}, timeout=self._settings.poll_seconds,
                               return_when=asyncio.FIRST_COMPLETED)
        finally:
            waiter.cancel()

    def _spawn(self, item: Taken) -> None:
        task = asyncio.create_task(self._deliver(item), name=f"hartslag.outbox.{item.row.id}")
        self._inflight.add(task)
        task.add_done_callback(self._inflight.discard)

    # -- one row -------------------------------------------------------------------------
    async def _deliver(self, item: Taken) -> None:
        try:
            await self._deliver_row(item.row, item.body)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            # The row keeps its lease and state; the reaper hands it on after the lease.
            log.error("outbox row failed unexpectedly",
                      extra={"row": item.row.id, **error_fields(exc)})
            self._metrics.errors.labels("outbox").inc()

    async def _deliver_row(self, row: OutboxRow, body: str) -> None:
        recipient = recipient_from_json(row.recipient)
        if row.state == "ambiguous" and not await self._reconcile(row, recipient):
            return
        blocked = self._send_blocked(row)
        if blocked is not None:
            # The scope answered 429 lately: wait in the table, not in a task.
            await self._park(row, blocked)
            return
        wait = self._limiter.admit(row.platform, row.channel,
                                   patience=self._settings.queue_patience_seconds)
        if wait:
            # A busy conversation: park the row instead of holding a slot other
            # conversations could use (no head-of-line blocking).
            await self._park(row, self._clock.now() + timedelta(seconds=wait))
            return
        # Tokens first, then "sending": a row waiting for its turn is still "pending", so a
        # crash leaves only the rows really handed to the platform to be looked up.
        slot = await self._limiter.acquire(row.platform, row.scope, row.channel, admitted=True)
        attempt = row.attempts + 1
        paced = False
        try:
            marked = await self._change(row, ("pending", "ambiguous"), state="sending",
                                        attempts=attempt, next_attempt_at=None)
            if not marked:
                return  # cancelled, or another instance took over after our lease ran out
            await self._limiter.pace(row.platform, row.scope, row.channel, slot)
            paced = True
        finally:
            if not paced:  # the shared pool must not keep holding a slot for this row
                self._limiter.release(row.platform, row.scope, slot)
        try:
            ref = await self._send(recipient, body, row.delivery_id)
        except DeliveryError as exc:
            await self._refused(row, attempt, exc)
            return
        except Exception as exc:
            await self._unknown(row, attempt, exc)
            return
        await self._sent(row, ref, outcome="sent")

    async def _send(self, recipient: Address | UserRef, body: str, ident: str) -> MessageRef:
        message = message_from_json(body)
        if isinstance(recipient, Address):
            return await self._port.send(recipient, message, delivery_id=ident)
        return await self._port.send_direct(recipient, message, delivery_id=ident)

    def _send_blocked(self, row: OutboxRow) -> datetime | None:
        """The end of a 429 block on this row's send scopes (its team's methods or sender,
        its conversation), or None."""
        now = self._clock.now()
        ends = [end for end in (self._blocks.until(("send", row.platform, row.scope), now),
                                self._blocks.until(("conv", row.platform, row.channel), now))
                if end is not None]
        return max(ends) if ends else None

    async def _park(self, row: OutboxRow, until: datetime) -> None:
        await self._change(row, ("pending", "ambiguous"), next_attempt_at=until,
                           lease_owner=None, lease_until=None)

    async def _change(self, row: OutboxRow, when: tuple[str, ...], **values: Any) -> bool:
        assert row.id is not None
        return await self._writer.write(Change(row.id, self.instance, when, values))

    async def _sent(self, row: OutboxRow, ref: MessageRef, *, outcome: str) -> None:
        done = await self._change(
            row, ("sending", "ambiguous"), state="sent", message_id=ref.message_id,
            message_address=str(ref.address), sent_at=self._clock.now(), error=None,
            lease_until=None, next_attempt_at=None,
        )
        self._metrics.deliveries.labels(row.platform, outcome).inc()
        self._metrics.queue_depth.dec()
        if done:
            await self._notify(row, ref)

    async def _refused(self, row: OutboxRow, attempt: int, exc: DeliveryError) -> None:
        now = self._clock.now()
        reason = exc.reason[:500]
        if exc.retry_after is not None and not exc.permanent:
            # Rate limited: wait as told; this does not use up an attempt.
            delay = exc.retry_after + random.uniform(0, min(1.0, exc.retry_after / 4 + 0.05))
            until = now + timedelta(seconds=delay)
            self._block(row, exc, until)
            await self._change(row, ("sending",), state="pending", attempts=attempt - 1,
                               next_attempt_at=until, error=reason,
                               lease_owner=None, lease_until=None)
            self._metrics.deliveries.labels(row.platform, "rate_limited").inc()
            self._wake.set()
            return
        if exc.permanent or attempt >= self._settings.max_attempts:
            await self._change(row, ("sending",), state="failed", error=reason,
                               lease_until=None)
            self._metrics.deliveries.labels(row.platform, "failed").inc()
            self._metrics.queue_depth.dec()
            log.warning("delivery failed", extra={"row": row.id, "platform": row.platform,
                                                  "permanent": exc.permanent})
            return
        delay = backoff_seconds(attempt, initial=self._settings.backoff_initial_seconds,
                                maximum=self._settings.backoff_max_seconds)
        await self._change(row, ("sending",), state="pending",
                           next_attempt_at=now + timedelta(seconds=delay), error=reason,
                           lease_owner=None, lease_until=None)
        self._metrics.deliveries.labels(row.platform, "retry").inc()

    def _block(self, row: OutboxRow, exc: DeliveryError, until: datetime) -> None:
        """Honour a Retry-After for the scope the platform limits: a Slack method in the
        whole team, a Matrix sender, a Teams conversation (in clock time)."""
        scope = exc.scope if isinstance(exc, RateLimited) else ""
        if not scope:
            scope = self._settings.limits_for(row.platform).blocks
        if scope.startswith("method:"):
            self._blocks.block(("send", row.platform, row.scope), (scope,), until)
        elif scope == "sender":
            self._blocks.block(("send", row.platform, row.scope), ("sender",), until)
        else:
            self._blocks.block(("conv", row.platform, row.channel), ("conversation",), until)
        self._count(f"blocked:{row.platform}:{scope.partition(':')[0] or scope}")
        log.warning("rate limited: scope blocked",
                    extra={"platform": row.platform, "scope": scope,
                           "seconds": round((until - self._clock.now()).total_seconds(), 2)})

    async def _unknown(self, row: OutboxRow, attempt: int, exc: Exception) -> None:
        """The call failed in a way that does not say whether the platform posted it."""
        log.warning("send outcome unknown; will reconcile before any resend",
                    extra={"row": row.id, "platform": row.platform, "error": type(exc).__name__})
        delay = backoff_seconds(attempt, initial=self._settings.backoff_initial_seconds,
                                maximum=self._settings.backoff_max_seconds)
        await self._change(row, ("sending",), state="ambiguous",
                           next_attempt_at=self._clock.now() + timedelta(seconds=delay),
                           error=type(exc).__name__, lease_owner=None, lease_until=None)
        self._metrics.deliveries.labels(row.platform, "ambiguous").inc()

    async def _reconcile(self, row: OutboxRow, recipient: Address | UserRef) -> bool:
        """Settle an ambiguous row; True when it should be (re)sent now."""
        finder = self._finder(row.platform)
        if finder is not None:
            return await self._look_up(row, recipient, finder)
        if row.platform in self._settings.idempotent_platforms:
            return True
        await self._uncertain(row, "may have been posted; not resent to avoid a duplicate")
        return False

    async def _look_up(self, row: OutboxRow, recipient: Address | UserRef,
                       finder: Finder) -> bool:
        """Ask the platform for the row's post, under the lookup scope's own rate limit and
        429 blocks (a lookup never spends the posting budget nor a send attempt)."""
        now = self._clock.now()
        blocked = self._blocks.until(("lookup", row.platform, row.scope), now)
        wait = 0.0 if blocked is not None else self._limiter.admit(
            row.platform, row.scope, patience=self._settings.queue_patience_seconds,
            level="lookup")
        if blocked is not None or wait:
            await self._park(row, blocked or now + timedelta(seconds=wait))
            return False
        await self._limiter.acquire_lookup(row.platform, row.scope)
        try:
            found = await finder(recipient, row.delivery_id)
        except Exception as exc:
            return await self._lookup_failed(row, exc)
        if found is not None:
            await self._sent(row, found, outcome="reconciled")
            return False
        return True

    async def _lookup_failed(self, row: OutboxRow, exc: Exception) -> bool:
        now = self._clock.now()
        if isinstance(exc, DeliveryError) and exc.retry_after is not None and not exc.permanent:
            until = now + timedelta(seconds=exc.retry_after)
            scope = exc.scope if isinstance(exc, RateLimited) else "lookup"
            self._blocks.block(("lookup", row.platform, row.scope), (scope,), until)
            self._count(f"blocked:{row.platform}:lookup")
            log.warning("rate limited: lookups blocked",
                        extra={"platform": row.platform, "scope": scope,
                               "seconds": exc.retry_after})
            await self._park(row, until)
            return False
        lookups = row.lookups + 1
        self._count("lookup_failed")
        reason = exc.reason if isinstance(exc, DeliveryError) else type(exc).__name__
        log.warning("reconciliation lookup failed",
                    extra={"row": row.id, "platform": row.platform, "lookups": lookups,
                           "error": reason[:200]})
        permanent = isinstance(exc, DeliveryError) and exc.permanent
        if permanent or lookups >= self._settings.max_lookups:
            await self._uncertain(row, f"could not look it up: {reason}"[:500], lookups=lookups)
            return False
        delay = backoff_seconds(lookups, initial=self._settings.backoff_initial_seconds,
                                maximum=self._settings.backoff_max_seconds)
        await self._change(row, ("ambiguous",), lookups=lookups, lease_owner=None,
                           lease_until=None, next_attempt_at=now + timedelta(seconds=delay),
                           error=f"reconciliation failed: {reason}"[:500])
        return False

    async def _uncertain(self, row: OutboxRow, reason: str, **values: Any) -> None:
        """Rule 3: settle the row as "uncertain" for good, count it, tell the author."""
        done = await self._change(row, ("ambiguous",), next_attempt_at=None, lease_until=None,
                                  error=reason, **values)
        self._metrics.deliveries.labels(row.platform, "uncertain").inc()
        self._metrics.queue_depth.dec()
        self._count("uncertain")
        log.warning("delivery left uncertain; not resent",
                    extra={"row": row.id, "platform": row.platform})
        if done:
            await self._tell_author(row.batch)

    async def _tell_author(self, name: str) -> None:
        """A direct message to the batch's author (a person ``platform:id``), once per batch."""
        batch = await self._batch(name)
        author = owner_ref(batch.owner if batch else None)
        if author is None or name.startswith("uncertain:"):
            return
        text = MESSAGES.get(DEFAULT_LOCALE, "uncertain", batch=name[:80])
        try:
            await self.enqueue([Delivery(OutgoingMessage(text), user=author)],
                               batch=f"uncertain:{name}"[:200], owner="outbox")
        except Exception as exc:
            log.error("could not tell the author about uncertain rows", extra=error_fields(exc))

    def _finder(self, platform: str) -> Finder | None:
        port: Any = self._port
        if isinstance(port, MultiPort):
            port = port.port_for(platform)  # the platform's own port may reconcile
        finder = getattr(port, "find_delivery", None)
        return finder if callable(finder) else None

    # -- on_sent -------------------------------------------------------------------------
    async def _batch(self, name: str) -> OutboxBatch | None:
        found = self._batches.get(name)
        if found is None:
            # Single flight: the first sends of a batch all finish at once, and each used to
            # read the batch row itself (about 600 reads for a 1,000-DM invitation).
            found = await self._batch_reads.run(name, lambda: self._repo.batch(name))
            if found is not None:
                self._batches[name] = found
        return found

    async def _notify(self, row: OutboxRow, ref: MessageRef) -> None:
        batch = await self._batch(row.batch)
        if batch is None or not batch.on_sent or self._runner is None:
            return
        if await self._run_on_sent(batch.on_sent, row, ref):
            assert row.id is not None
            await self._repo.mark_notified([row.id])

    async def _run_on_sent(self, kind: str, row: OutboxRow, ref: MessageRef) -> bool:
        assert self._runner is not None
        payload = {"batch": row.batch, "delivery_id": row.delivery_id, "target": row.target,
                   "message": ref_to_json(ref)}
        try:
            await self._runner(kind, payload)
        except LookupError as exc:
            # No handler for this kind: a bug no retry can fix; do not retry forever.
            log.error("on_sent job kind unknown",
                      extra={"kind": kind, "row": row.id, **error_fields(exc)})
            self._metrics.errors.labels("outbox.on_sent").inc()
            return True
        except Exception as exc:
            log.error("on_sent job failed", extra={"kind": kind, "row": row.id, **error_fields(exc)})
            self._metrics.errors.labels("outbox.on_sent").inc()
            return False
        return True

    async def _renotify(self) -> None:
        """on_sent jobs that did not run (a crash between "sent" and the job): at least once."""
        if self._runner is None:
            return
        done: list[int] = []
        for row, kind in await self._repo.unnotified():
            if row.message_id is None or row.message_address is None or row.id is None:
                continue
            ref = MessageRef(Address.parse(row.message_address), row.message_id)
            if await self._run_on_sent(kind, row, ref):
                done.append(row.id)
        if done:
            await self._repo.mark_notified(done)

    # -- reports -------------------------------------------------------------------------


def _row(item: Delivery, batch: str, now: datetime, installation: str) -> dict[str, Any]:
    if item.address is not None:
        address = item.address
        target = str(address)
        platform, scope = address.platform, address.workspace
        channel = str(address.without_thread())
        recipient = recipient_to_json(address)
    else:
        assert item.user is not None
        user = item.user
        target = user.key
        platform, scope, channel = user.platform, user.workspace, f"dm:{user.id}"
        recipient = recipient_to_json(user)
    return {
        "delivery_id": delivery_id(batch, target, installation), "batch": batch, "target": target,
        "recipient": recipient, "platform": platform, "scope": scope, "channel": channel,
        "digest": "", "state": "pending", "attempts": 0, "next_attempt_at": now,
        "lease_owner": None, "lease_until": None, "message_id": None, "message_address": None,
        "error": None, "created_at": now, "sent_at": None, "notified": False, "lookups": 0,
    }

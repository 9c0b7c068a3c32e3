"""A work system's event becomes a message: deduplicated, rendered, routed, and sent now or
held for the person's digest or until their quiet hours end.

The HTTP side (authentication, size, JSON) lives in ``bots/webhooks.py``; this module gets a
verified JSON object and answers with a status code and a body for the source.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from commands.announcements.targets import TargetError, parse_target
from commands.context import Context
from commands.delivery import Delivery
from commands.model import Address, OutgoingMessage
from commands.notices.directory import Recipient, resolve
from commands.notices.settings import HookSettings, HookSource
from commands.notices.timing import is_quiet, next_digest, next_open
from commands.schedule import Trigger
from commands.templating import TemplateError, TemplateRenderer
from storage.announcements import AudienceRepository
from storage.notices import NoticeRepository, PendingNotice

log = logging.getLogger("hartslag.notices")

FLUSH = "notices.flush"
_renderer = TemplateRenderer()


@dataclass(frozen=True)
class Outcome:
    status: int
    body: dict[str, Any]


def field(payload: Mapping[str, Any], path: str) -> Any:
    """``"caller.email"`` -> payload["caller"]["email"], or None."""
    value: Any = payload
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def event_key(source: HookSource, payload: Mapping[str, Any]) -> str:
    found = field(payload, source.event_id_field)
    if isinstance(found, str | int) and str(found):
        return f"id:{str(found)[:180]}"
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


async def receive(ctx: Context, name: str, payload: dict[str, Any]) -> Outcome:
    """Handle one verified event. The event is recorded as seen only with or after its
    effect (the outbox batch, or the held notice in the same transaction): recording it
    first lost the message when the process died in between, because the source's retry
    was then answered "duplicate"."""
    source = ctx.settings.get(HookSettings).sources[name]
    repo = ctx.store.repo(NoticeRepository)
    now = ctx.clock.now()
    key = event_key(source, payload)
    if await repo.seen(name, key):
        return Outcome(200, {"status": "duplicate", "event": key})
    outcome = await _route(ctx, name, source, payload, key)
    if outcome.status >= 400:
        kept = await repo.reject(name, str(outcome.body.get("error", "")), payload, at=now)
        outcome.body["kept_as"] = kept
    else:
        # False when a concurrent replay got here first: its batch had the same key, so
        # the outbox kept one copy; a held notice recorded the event itself.
        await repo.claim_event(name, key, at=now)
    log.info("hook handled", extra={"source": name, "status": outcome.status})
    return outcome


async def _route(ctx: Context, name: str, source: HookSource, payload: dict[str, Any],
                 key: str) -> Outcome:
    try:
        text = _renderer.render(source.template, payload)
    except TemplateError as exc:
        where = f" (line {exc.problem.line})" if exc.problem.line else ""
        return Outcome(422, {"error": f"template could not render{where}: {exc.problem.reason}"})
    message = OutgoingMessage(text)
    batch = hook_batch(name, key)
    if source.to == "person":
        return await _to_person(ctx, name, key, source, payload, message)
    addresses = await _addresses(ctx, source)
    if isinstance(addresses, Outcome):
        return addresses
    await ctx.delivery.enqueue([Delivery(message, address=a) for a in addresses], batch=batch,
                               owner=f"hook:{name}")
    return Outcome(202, {"status": "queued", "targets": len(addresses)})


async def _addresses(ctx: Context, source: HookSource) -> list[Address] | Outcome:
    try:
        if source.to == "channel":
            return [parse_target(ctx, source.channel)]
        audience = await ctx.store.repo(AudienceRepository).get(source.audience)
        if audience is None:
            return Outcome(422, {"error": f"audience {source.audience!r} does not exist"})
        return [_address(ctx, target) for target in audience.targets]
    except TargetError as exc:
        return Outcome(500, {"error": f"target {exc.text!r} is not platform:channel-id"})


def _address(ctx: Context, target: str) -> Address:
    try:
        return Address.parse(target)
    except ValueError:
        return parse_target(ctx, target)


async def _to_person(ctx: Context, name: str, key: str, source: HookSource,
                     payload: dict[str, Any], message: OutgoingMessage) -> Outcome:
    batch = hook_batch(name, key)
    ident = field(payload, source.person_field)
    if not isinstance(ident, str) or not ident.strip():
        return Outcome(422, {"error": f"no recipient: field {source.person_field!r} is missing"})
    recipient = await resolve(ctx, ident.strip())
    if recipient is None:
        return Outcome(422, {"error": f"unknown recipient {ident.strip()[:100]!r}: add them to "
                                      "the directory (hartslag people import)"})
    urgent = field(payload, source.urgent_field) is True
    due = None if urgent else _hold_until(ctx, recipient)
    if due is None:
        await ctx.delivery.enqueue([Delivery(message, user=recipient.user)], batch=batch,
                                   owner=f"hook:{name}")
        return Outcome(202, {"status": "sent" if urgent else "queued"})
    if not await _hold(ctx, recipient, (name, key), source, message, due):
        return Outcome(200, {"status": "duplicate", "event": key})
    return Outcome(202, {"status": "held", "until": due.isoformat()})


def _hold_until(ctx: Context, recipient: Recipient) -> datetime | None:
    settings = ctx.settings.get(HookSettings)
    tz, now = ZoneInfo(settings.timezone), ctx.clock.now()
    person = recipient.person
    quiet = person.quiet or settings.default_quiet
    if person.mode == "digest":
        return next_digest(now, at=person.digest_time or settings.default_digest_time,
                           working_days=settings.working_days, tz=tz)
    if is_quiet(now, quiet=quiet, working_days=settings.working_days, tz=tz):
        return next_open(now, quiet=quiet, working_days=settings.working_days, tz=tz)
    return None


async def _hold(ctx: Context, recipient: Recipient, event: tuple[str, str], source: HookSource,
                message: OutgoingMessage, due: datetime) -> bool:
    """Keep the notice for ``due`` (and record ``event`` with it); False for a replay.

    The flush is planned before the notice is kept: a crash in between leaves a flush with
    nothing to send, never a kept notice that no flush will ever send."""
    person_id = recipient.person.id
    assert person_id is not None
    await _ensure_flush(ctx, person_id, due)
    notice = PendingNotice(person_id=person_id, source=event[0], label=source.label,
                           markdown=message.markdown, due_at=due, created_at=ctx.clock.now())
    return await ctx.store.repo(NoticeRepository).hold(notice, event=event) is not None


async def _ensure_flush(ctx: Context, person_id: int, due: datetime) -> None:
    owner, when = f"person:{person_id}", due.isoformat()
    planned = await ctx.scheduler.list(kind_prefix=FLUSH, owner=owner)
    if not any(info.payload.get("due") == when for info in planned):
        await ctx.scheduler.add(FLUSH, Trigger("once", at=due),
                                {"person": person_id, "due": when}, owner=owner)


def hook_batch(name: str, key: str) -> str:
    """The outbox batch of one event: its key, hashed when too long for a batch key (an
    event id of up to 180 characters with a source name of 60 did not fit in 200)."""
    batch = f"hook:{name}:{key}"
    if len(batch) <= 200:
        return batch
    return f"hook:{name}:sha256:{hashlib.sha256(key.encode()).hexdigest()}"

"""What every signals handler shares: settings, keys, the day, storing a case and the relay.

Nothing here logs a text, a user id or a case-to-person link; unexpected errors are replaced
by one that carries no values (``withheld``), because the router logs tracebacks and a
database error message can quote the parameters of the failed statement.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Literal
from zoneinfo import ZoneInfo

from commands.context import Context
from commands.errors import UserError
from commands.logsafe import error_fields
from commands.model import OutgoingMessage, UserRef
from commands.signals.codes import new_code, new_ref
from commands.signals.keys import KeyConfigError, SignalKeyring, SignalKeys
from commands.signals.settings import SignalSettings
from commands.signals.text import SIGNALS
from storage.signals import NewCase, RateCheck, SignalRepository

log = logging.getLogger("hartslag.signals")

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
Delivered = Literal["sent", "no_relay", "failed"]


class SignalFailure(RuntimeError):
    """An unexpected error in the signals feature, with every detail withheld."""


class Missing(Exception):
    """A part of a free-text subcommand is missing. The tree does not parse free text (it
    keeps quotes and apostrophes as typed), so the handler says which part, and the command
    answers with the tree's own message, usage and example."""

    def __init__(self, part: str) -> None:
        super().__init__(part)
        self.part = part  # the canonical (English) name of the declared parameter


@contextmanager
def withheld() -> Iterator[None]:
    """Let UserError through; replace any other error by one without values or context."""
    try:
        yield
    except UserError:
        raise
    except Exception as exc:
        raise SignalFailure(f"signals: {type(exc).__name__} (details withheld)") from None


def settings(ctx: Context) -> SignalSettings:
    found = ctx.settings.get(SignalSettings)
    if not found.enabled:
        raise UserError(ctx.text(SIGNALS, "disabled"))
    return found


def repo(ctx: Context) -> SignalRepository:
    return ctx.store.repo(SignalRepository)


async def keys(ctx: Context) -> SignalKeys:
    try:
        return await ctx.state(SignalKeyring).keys(settings(ctx))
    except KeyConfigError as exc:
        # The raise's file:line in ``where`` tells which key is wrong (one raise per problem).
        log.error("signals: keys not usable", extra=error_fields(exc))
        raise UserError(ctx.text(SIGNALS, "not_configured")) from None


def today(ctx: Context) -> date:
    """The day in the Netherlands: the only time a case keeps."""
    return ctx.clock.now().astimezone(AMSTERDAM).date()


def period(day: date, conf: SignalSettings) -> int:
    return day.toordinal() // conf.rate_period_days


def status_name(ctx: Context, status: str) -> str:
    return ctx.text(SIGNALS, f"status.{status}")


def check_text(ctx: Context, text: str, conf: SignalSettings) -> str:
    """The text as it will be stored, or a UserError that says what to change."""
    cleaned = text.strip()
    if len(cleaned) > conf.max_length:
        raise UserError(ctx.text(SIGNALS, "text.too_long", length=len(cleaned), max=conf.max_length))
    if len(cleaned) < conf.min_length:
        raise UserError(ctx.text(SIGNALS, "text.too_short", min=conf.min_length))
    return cleaned


def _pack(user: UserRef, code: str) -> bytes:
    return json.dumps({"p": user.platform, "i": user.id, "w": user.workspace, "c": code},
                      separators=(",", ":")).encode()


def _unpack(raw: bytes) -> tuple[UserRef, str] | None:
    try:
        data = json.loads(raw)
        return UserRef(str(data["p"]), str(data["i"]), "", str(data["w"])), str(data["c"])
    except (ValueError, KeyError, TypeError):
        return None


async def store_signal(ctx: Context, user: UserRef, *, category: str, team: str, text: str,
                       relay: bool) -> tuple[str, str]:
    """Store a new case for ``user`` without storing who they are; return (code, ref).

    Raises UserError (nothing stored) when the sender is blocked or over the rate limit."""
    conf = settings(ctx)
    sealer = await keys(ctx)
    store = repo(ctx)
    day = today(ctx)
    ref = new_ref()
    while await store.ref_exists(ref):
        ref = new_ref()
    code = new_code()
    this_period = period(day, conf)
    case = NewCase(
        ref=ref, code_hash=sealer.keyed("code", code), category=category, team=team,
        text=text, day=day, sealed=sealer.seal(_pack(user, code), case=ref) if relay else None,
    )
    check = RateCheck(period=this_period, sender_hash=sealer.keyed(f"rate:{this_period}", user.key),
                      limit=conf.rate_limit, block_hashes=sealer.keyed_all("block", user.key),
                      today=day)
    outcome = await store.create(case, check)
    if outcome == "blocked":
        raise UserError(ctx.text(SIGNALS, "blocked"))
    if outcome == "rate_limited":
        raise UserError(ctx.text(SIGNALS, "rate_limited", limit=conf.rate_limit,
                                 days=conf.rate_period_days))
    return code, ref


async def check_rate(ctx: Context, user: UserRef) -> None:
    """Refuse at the start when this person has no signal left in this period. The count is
    read under the same keyed hash that ``store_signal`` counts with; nothing is written."""
    conf = settings(ctx)
    sealer = await keys(ctx)
    this_period = period(today(ctx), conf)
    used = await repo(ctx).rate_used(this_period, sealer.keyed(f"rate:{this_period}", user.key))
    if used >= conf.rate_limit:
        raise UserError(ctx.text(SIGNALS, "rate_limited", limit=conf.rate_limit,
                                 days=conf.rate_period_days))


async def is_blocked(ctx: Context, user: UserRef) -> bool:
    sealer = await keys(ctx)
    return await repo(ctx).is_blocked(sealer.keyed_all("block", user.key), today(ctx))


async def sender_of(ctx: Context, ref: str) -> tuple[UserRef, str] | None:
    """The sender and code behind a case, from the sealed relay; None without a relay.

    The result must only ever be used to send to that person or to derive a keyed hash:
    never shown, stored or logged."""
    sealed = await repo(ctx).relay(ref)
    if sealed is None:
        return None
    raw = (await keys(ctx)).unseal(sealed, case=ref)
    return _unpack(raw) if raw is not None else None


async def notify_sender(ctx: Context, ref: str,
                        build: Callable[[Context, str], OutgoingMessage]) -> Delivered:
    """Send a message to the sender of ``ref`` through the relay, in the sender's language.

    Sent directly through the port, not the outbox: an outbox row would persist the sender's
    id as its target next to a delivery about this case. A failure is reported to the caller
    (the text stays in the case for the sender to read) and logged without any detail."""
    found = await sender_of(ctx, ref)
    if found is None:
        return "no_relay"
    user, code = found
    try:
        locale = await ctx.locale_for(user=user)
        await ctx.port.send_direct(user, build(ctx.with_locale(locale), code))
    except Exception as exc:  # the reason may name the person: log the type only
        log.warning("signals: relay delivery failed", extra={"error_type": type(exc).__name__})
        return "failed"
    return "sent"


def block_hash_for(sealer: SignalKeys, user: UserRef) -> str:
    return sealer.keyed("block", user.key)


async def reseal_relays(ctx: Context) -> tuple[int, int]:
    """Re-seal every relay mapping with the first relay key and re-hash its case's code with
    the first HMAC secret (after putting new keys in front); returns (re-sealed, unreadable).
    Unreadable mappings are left as they are."""
    sealer = await keys(ctx)
    store = repo(ctx)
    done = unreadable = 0
    for ref, sealed in await store.relays():
        raw = sealer.unseal(sealed, case=ref)
        if raw is None:
            unreadable += 1
            continue
        await store.replace_relay(ref, sealer.seal(raw, case=ref))
        found = _unpack(raw)
        if found is not None:
            await store.replace_code_hash(ref, sealer.keyed("code", found[1]))
        done += 1
    return done, unreadable

"""One round of a programme: who takes part, the groups, the introductions.

Introductions go out as one direct message per member naming the others with their name and
e-mail from the people directory, so people on different platforms of one organisation can be
matched and each hears it on their own platform. That is also the Teams path: a bot cannot
create a Teams group chat without Microsoft Graph (an extra permission and app registration),
so each member gets a 1:1 message. With ``verbinden.group_conversations`` a group whose
members are all on one platform with a ``GroupPort`` (Slack group DM, Matrix room) gets one
message in a new group conversation instead. The bot never reads that conversation.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from commands.context import Context
from commands.delivery import Delivery
from commands.model import Address, Choice, OutgoingMessage, UserRef
from commands.port import DeliveryError, GroupPort, platform_port
from commands.schedule import Trigger
from commands.verbinden.matching import Matching, Participant, form_groups
from commands.verbinden.messages import VERBINDEN
from commands.verbinden.settings import VerbindenSettings
from storage.verbinden import Contact, VerbindenProgramme, VerbindenRepository, VerbindenRound

log = logging.getLogger("hartslag.verbinden")

FOLLOWUP, REPORT = "verbinden.followup", "verbinden.report"
REPORT_AFTER = timedelta(minutes=30)  # the outbox has sent (or given up on) the intros by then


@dataclass(frozen=True)
class Formed:
    row: VerbindenRound
    matching: Matching


def user_of(key: str) -> UserRef:
    platform, _, ident = key.partition(":")
    return UserRef(platform, ident)


def seed_of(programme_id: int, number: int) -> int:
    """Deterministic per round: a retried or replayed round forms the same groups."""
    return programme_id * 1_000_003 + number


async def form_round(ctx: Context, programme: VerbindenProgramme, *,
                     slot: str | None = None) -> Formed | None:
    """Form and store the next round; None when fewer than two people take part.

    ``slot``: the schedule slot. A retried job finds its round already stored and gets the
    same groups back, so the introductions (same outbox batch) go out once."""
    assert programme.id is not None
    settings = ctx.settings.get(VerbindenSettings)
    repo = ctx.store.repo(VerbindenRepository)
    if slot is not None and (earlier := await repo.round_at(programme.id, slot)) is not None:
        return await _stored(repo, earlier)
    number = await repo.next_number(programme.id)
    people = [Participant(p.user_key, p.department, p.location)
              for p in await repo.participants(programme.id)
              if not p.unreachable and p.skip_round != number]
    if len(people) < 2:
        return None
    history = await repo.history(programme.id, rounds=settings.history_rounds)
    matching = form_groups(people, history, programme.rule, seed=seed_of(programme.id, number),
                           size=programme.size)
    row = VerbindenRound(programme_id=programme.id, number=number, slot=slot,
                         formed_at=ctx.clock.now(),
                         participants=len(people), groups=len(matching.groups),
                         unmatched=len(matching.unmatched))
    row = await repo.record_round(row, matching.groups)
    # The window is all the history is for: older group rows go now.
    await repo.purge(programme.id, keep_rounds=settings.history_rounds)
    return Formed(row, matching)


async def _stored(repo: VerbindenRepository, row: VerbindenRound) -> Formed:
    assert row.id is not None
    groups: dict[int, list[str]] = {}
    for member in await repo.members(row.id):
        groups.setdefault(member.group_no, []).append(member.user_key)
    ordered = tuple(tuple(sorted(groups[n])) for n in sorted(groups))
    return Formed(row, Matching(ordered))


async def introduce(ctx: Context, programme: VerbindenProgramme, formed: Formed) -> int:
    """Enqueue the introductions (and notes for the unmatched); returns how many."""
    assert programme.id is not None and formed.row.id is not None
    repo = ctx.store.repo(VerbindenRepository)
    keys = [k for g in formed.matching.groups for k in g] + list(formed.matching.unmatched)
    found = await repo.contacts(keys)
    deliveries: list[Delivery] = []
    locales: dict[str, str] = {}
    for group_no, group in enumerate(formed.matching.groups):
        deliveries += await _group_deliveries(ctx, programme, formed.row, group_no, group,
                                              found, locales)
    for key in formed.matching.unmatched:
        local = ctx.with_locale(await _locale(ctx, key, locales))
        text = local.text(VERBINDEN, "unmatched", name=programme.name, number=formed.row.number)
        deliveries.append(Delivery(OutgoingMessage(text), user=user_of(key)))
    await ctx.delivery.enqueue(deliveries, batch=intro_batch(programme.id, formed.row.number),
                               owner=programme.created_by)
    await _follow_up_later(ctx, programme, formed.row)
    return len(deliveries)


def intro_batch(programme_id: int, number: int) -> str:
    return f"verbinden:{programme_id}:{number}:intro"


async def _follow_up_later(ctx: Context, programme: VerbindenProgramme,
                           row: VerbindenRound) -> None:
    now = ctx.clock.now()
    payload = {"round": row.id}
    await ctx.scheduler.add(REPORT, Trigger("once", at=now + REPORT_AFTER), payload,
                            owner=programme.created_by)
    await ctx.scheduler.add(FOLLOWUP, Trigger("once", at=now + timedelta(
        days=programme.followup_days)), payload, owner=programme.created_by)


async def _locale(ctx: Context, key: str, cache: dict[str, str]) -> str:
    if key not in cache:
        cache[key] = await ctx.locale_for(user=user_of(key))
    return cache[key]


def _icebreaker(ctx: Context, number: int, group_no: int) -> str:
    questions = ctx.text(VERBINDEN, "icebreakers").split("|")
    return questions[(number + group_no) % len(questions)]


def _describe(ctx: Context, key: str, found: dict[str, Contact], *, platform: str) -> str:
    return ctx.text(VERBINDEN, "other", label=_label(ctx, key, found, platform=platform))


def _label(ctx: Context, key: str, found: dict[str, Contact], *, platform: str) -> str:
    """Name plus e-mail (and the platform when it is another one than the reader's)."""
    contact = found.get(key)
    user = user_of(key)
    name = contact.name if contact and contact.name else user.id
    details = [contact.email] if contact and contact.email else []
    if user.platform != platform or not details:
        details.append(ctx.port.capabilities(user.platform).name or user.platform)
    return name + ctx.text(VERBINDEN, "contact", detail=", ".join(details))


def _stop_choices(ctx: Context, programme_id: int) -> tuple[Choice, ...]:
    return (Choice("verbinden.skip", str(programme_id), ctx.text(VERBINDEN, "button.skip")),
            Choice("verbinden.stop", str(programme_id), ctx.text(VERBINDEN, "button.stop"),
                   "danger"))


async def _group_deliveries(ctx: Context, programme: VerbindenProgramme, row: VerbindenRound,
                            group_no: int, group: tuple[str, ...], found: dict[str, Contact],
                            locales: dict[str, str]) -> list[Delivery]:
    assert programme.id is not None
    shared = await _group_conversation(ctx, programme, group)
    if shared is not None:
        local = ctx.with_locale(await _locale(ctx, group[0], locales))
        others = ", ".join(_label(local, k, found, platform=shared.platform) for k in group)
        text = local.text(VERBINDEN, "intro.group", name=programme.name, number=row.number,
                          others=others, intro=local.text(VERBINDEN, f"template.{programme.template}"),
                          question=_icebreaker(local, row.number, group_no))
        return [Delivery(OutgoingMessage(text), address=shared)]
    out: list[Delivery] = []
    for key in group:
        local = ctx.with_locale(await _locale(ctx, key, locales))
        platform = user_of(key).platform
        others = "\n".join(_describe(local, k, found, platform=platform) for k in group if k != key)
        text = local.text(VERBINDEN, "intro", name=programme.name, number=row.number,
                          others=others, intro=local.text(VERBINDEN, f"template.{programme.template}"),
                          question=_icebreaker(local, row.number, group_no))
        message = OutgoingMessage(text, _stop_choices(local, programme.id))
        out.append(Delivery(message, user=user_of(key)))
    return out


async def _group_conversation(ctx: Context, programme: VerbindenProgramme,
                              group: tuple[str, ...]) -> Address | None:
    """A new group conversation when configured and possible; None: direct messages."""
    if not ctx.settings.get(VerbindenSettings).group_conversations:
        return None
    platforms = {user_of(k).platform for k in group}
    if len(platforms) != 1:
        return None
    port = platform_port(ctx.port, platforms.pop())
    if not isinstance(port, GroupPort):
        return None
    try:
        return await port.open_group([user_of(k) for k in group], name=programme.name)
    except DeliveryError as exc:
        # Falls back to direct messages; the reason, never who, goes to the log.
        log.warning("group conversation not opened", extra={"reason": exc.reason[:80]})
        return None

"""``verbinden create``: a programme from one command, every option checked before anything
is stored; then its round schedule on the shared scheduler and its announcement.

    /hartslag verbinden create "Koffie met een onbekende" --when "om de 2 weken dinsdag 10:00"
        --rule afdelingen --size 2 [--team zorg] [--channel #algemeen|here] [--template koffie]
"""

from __future__ import annotations

from commands import timespec
from commands.context import Context
from commands.delivery import Delivery
from commands.errors import UserError
from commands.model import Address, Choice, CommandRequest, OutgoingMessage, Reply
from commands.org import load_tree
from commands.schedule import Trigger
from commands.verbinden.messages import VERBINDEN
from commands.verbinden.settings import VerbindenSettings
from storage.verbinden import VerbindenProgramme, VerbindenRepository

ROUND = "verbinden.round"
RULE_WORDS = {
    "any": "any", "iedereen": "any", "alle": "any",
    "departments": "departments", "afdelingen": "departments",
    "location": "location", "locatie": "location", "zelfde-locatie": "location",
    "locations": "locations", "locaties": "locations",
}
TEMPLATES = ("koffie", "ommetje", "nieuw")
SIZES = (2, 3)


def rule_of(ctx: Context, value: str | None) -> str:
    rule = RULE_WORDS.get((value or "any").lower())
    if rule is None:
        raise UserError(ctx.text(VERBINDEN, "bad_rule", value=(value or "")[:30]))
    return rule


def size_of(ctx: Context, value: str | None) -> int:
    try:
        size = int(value or "2")
    except ValueError:
        size = 0
    if size not in SIZES:
        raise UserError(ctx.text(VERBINDEN, "bad_size", value=(value or "")[:10]))
    return size


def cadence_of(ctx: Context, value: str | None) -> Trigger:
    if not value:
        raise UserError(ctx.text(VERBINDEN, "no_cadence"))
    try:
        trigger = timespec.parse(value, now=ctx.clock.now(), locale=ctx.locale)
    except ValueError as exc:
        raise UserError(ctx.text(VERBINDEN, "bad_cadence", reason=str(exc))) from None
    if trigger.kind == "once":
        raise UserError(ctx.text(VERBINDEN, "once_cadence"))
    return trigger


async def team_of(ctx: Context, value: str | None) -> str:
    if not value:
        return ""
    tree = await load_tree(ctx)
    if value not in tree.teams:
        raise UserError(ctx.text(VERBINDEN, "bad_team", team=value[:100]))
    return value


def channel_of(ctx: Context, request: CommandRequest, value: str | None) -> str:
    """Where the announcement goes: ``--channel`` or the channel the command came from."""
    if value is None or value.lower() in ("here", "hier"):
        return "" if request.is_direct else str(request.address.without_thread())
    if value.startswith("#"):
        return str(Address(request.address.platform, request.address.workspace, value))
    try:
        return str(Address.parse(value))
    except ValueError as exc:
        raise UserError(ctx.text(VERBINDEN, "bad_channel", value=value[:60],
                                 reason=str(exc))) from None


def followup_of(ctx: Context, value: str | None) -> int:
    if value is None:
        return ctx.settings.get(VerbindenSettings).followup_days
    if not value.isdigit() or not 1 <= int(value) <= 30:
        raise UserError(ctx.text(VERBINDEN, "bad_followup", value=value[:10]))
    return int(value)


def describe(ctx: Context, programme: VerbindenProgramme, trigger: Trigger | None) -> tuple[str, str]:
    when = timespec.describe(trigger, ctx.locale) if trigger else "-"
    return when, ctx.text(VERBINDEN, f"rule.{programme.rule}")


def join_choices(ctx: Context, programme_id: int) -> tuple[Choice, ...]:
    return (Choice("verbinden.join", str(programme_id), ctx.text(VERBINDEN, "button.join"),
                   "primary"),
            Choice("verbinden.skip", str(programme_id), ctx.text(VERBINDEN, "button.skip")))


async def create(request: CommandRequest, ctx: Context, name: str | None,
                 options: dict[str, str]) -> Reply:
    """``options`` under their canonical names (the tree and the form both give those). The
    role is checked here too: a form submission does not pass through the tree."""
    user = await ctx.require("comms")
    if not name or not name.strip():
        raise UserError(ctx.text(VERBINDEN, "no_name"))
    if len(name) > 100:
        raise UserError(ctx.text(VERBINDEN, "bad_name"))
    template = options.get("template", "koffie").lower()
    if template not in TEMPLATES:
        raise UserError(ctx.text(VERBINDEN, "bad_template", value=template[:30]))
    programme = VerbindenProgramme(
        name=name.strip(), rule=rule_of(ctx, options.get("rule")),
        size=size_of(ctx, options.get("size")),
        audience=await team_of(ctx, options.get("team")),
        channel=channel_of(ctx, request, options.get("channel")),
        template=template, followup_days=followup_of(ctx, options.get("followup")),
        created_by=user.key, created_at=ctx.clock.now())
    trigger = cadence_of(ctx, options.get("when"))
    # Everything is checked: only now is anything stored.
    repo = ctx.store.repo(VerbindenRepository)
    programme = await repo.create(programme)
    assert programme.id is not None
    schedule = await ctx.scheduler.add(ROUND, trigger, {"programme": programme.id},
                                       owner=user.key, notify=user.key)
    await repo.set_schedule(programme.id, schedule)
    when, rule = describe(ctx, programme, trigger)
    if programme.channel:
        await _announce(ctx, programme, when)
    return Reply.text(ctx.text(VERBINDEN, "created", id=programme.id, name=programme.name,
                               when=when, rule=rule))


async def _announce(ctx: Context, programme: VerbindenProgramme, when: str) -> None:
    assert programme.id is not None
    address = Address.parse(programme.channel)
    text = ctx.text(VERBINDEN, "announce", when=when,
                    rule=ctx.text(VERBINDEN, f"rule.{programme.rule}"),
                    intro=ctx.text(VERBINDEN, f"template.{programme.template}"))
    message = OutgoingMessage(text, join_choices(ctx, programme.id), title=programme.name)
    await ctx.delivery.enqueue([Delivery(message, address=address)],
                               batch=f"verbinden:{programme.id}:announce")


async def trigger_of(ctx: Context, programme: VerbindenProgramme) -> Trigger | None:
    if programme.schedule_id is None:
        return None
    info = await ctx.scheduler.get(programme.schedule_id)
    return info.trigger if info else None

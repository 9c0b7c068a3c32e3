"""``pulse create``: a pulse from a command with one question per line.

    /hartslag pulse create "Hoe gaat het?" --team zorg --when "elke maandag 9:00" --duration 2d
    likert: Ik kan mijn werk goed doen
    enps: Hoe waarschijnlijk raad je ons team aan als werkplek?
    single: Werkdruk deze week? | te laag | goed | te hoog
    text: Wat wil je nog kwijt?

Questions may also be given as ``--q1 "likert: ..." --q2 ...`` on one line. Options:
``--team T`` (DM to the team's members) or ``--channel #c[,#d]`` / ``--channel here``
(post in channels; default: the channel you are in), ``--when`` (default now), ``--duration``
(``90m``, ``36h``, ``3d``), ``--reminder 1d|off``, ``--remind-only-missing`` (needs the
ledger, see keys.py), ``--named`` (not anonymous), ``--live`` (named only: results while
open), ``--lang nl|en``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import timedelta

from commands import timespec
from commands.context import Context
from commands.errors import UserError
from commands.grammar import ArgsError, parse_args
from commands.i18n import normalise_locale
from commands.messages import CORE
from commands.model import Address, CommandRequest
from commands.org.directory import OrgDirectory
from commands.pulse.questions import QuestionError, dump_questions, parse_questions
from commands.pulse.settings import PulseSettings
from commands.pulse.text import PULSE
from commands.schedule import Trigger
from storage.pulse import PulseSeries

_DURATION = re.compile(r"^(\d{1,4})\s*(m|min|h|u|d)$", re.IGNORECASE)
_UNIT = {"m": 1, "min": 1, "h": 60, "u": 60, "d": 1440}
FLAGS = frozenset({"named", "live", "remind-only-missing", "anoniem", "anonymous"})


@dataclass(frozen=True)
class Draft:
    series: PulseSeries
    trigger: Trigger


def minutes(ctx: Context, value: str, option: str) -> int:
    found = _DURATION.match(value.strip())
    if not found:
        raise UserError(ctx.text(PULSE, "create.bad_duration", option=option, value=value[:30]))
    total = int(found.group(1)) * _UNIT[found.group(2).lower()]
    if not 1 <= total <= 60 * 24 * 90:
        raise UserError(ctx.text(PULSE, "create.bad_duration", option=option, value=value[:30]))
    return total


def _channels(ctx: Context, request: CommandRequest, value: str | None) -> list[str]:
    if value is None or value.lower() in ("here", "hier"):
        if request.is_direct or request.address.channel.startswith("@"):
            raise UserError(ctx.text(PULSE, "create.no_audience"))
        return [str(request.address.without_thread())]
    found = []
    for part in value.split(","):
        part = part.strip()
        if not part:
            continue
        try:
            address = (Address.parse(part) if "://" in part else
                       Address(request.address.platform, request.address.workspace, part))
        except ValueError:
            raise UserError(ctx.text(PULSE, "create.bad_channel", value=part[:60])) from None
        found.append(str(address))
    if not found:
        raise UserError(ctx.text(PULSE, "create.no_audience"))
    return found


async def draft(request: CommandRequest, ctx: Context, text: str) -> Draft:
    """Check everything before anything is stored."""
    settings = ctx.settings.get(PulseSettings)
    first, *rest = text.split("\n")
    try:
        args = parse_args(first, flags=FLAGS)
    except ArgsError as exc:
        raise UserError(ctx.text(CORE, "bad_args", reason=str(exc))) from None
    lines = [line for line in rest if line.strip()]
    lines += [args.options[f"q{i}"] for i in range(1, 11) if f"q{i}" in args.options]
    try:
        questions = parse_questions(lines, maximum=settings.max_questions)
    except QuestionError as exc:
        raise UserError(ctx.text(PULSE, exc.key, **exc.values)) from None
    title = (args.options.get("title") or args.rest()).strip()
    if not title or len(title) > 200:
        raise UserError(ctx.text(PULSE, "create.bad_title"))
    team = args.options.get("team")
    channels: list[str] = []
    if team is not None:
        tree = await ctx.store.repo(OrgDirectory).tree(settings, at=ctx.clock.now())
        if team not in tree.teams:
            raise UserError(ctx.text(PULSE, "no_team", team=team[:100]))
        if "channel" in args.options:
            channels = _channels(ctx, request, args.options["channel"])
    else:
        channels = _channels(ctx, request, args.options.get("channel"))
    await _may_create(ctx, request, team)
    named = "named" in args.flags
    live = "live" in args.flags
    if live and not named:
        raise UserError(ctx.text(PULSE, "create.live_named"))
    mode = "all" if settings.reminders == "all" else "off"
    reminder = settings.reminder_hours * 60 if mode != "off" else 0
    if "reminder" in args.options:
        value = args.options["reminder"]
        reminder = 0 if value.lower() in ("off", "uit", "0") else minutes(ctx, value, "--reminder")
        mode = "all" if reminder else "off"
    if "remind-only-missing" in args.flags:
        if not settings.allow_ledger:
            raise UserError(ctx.text(PULSE, "create.no_ledger"))
        if team is None:
            raise UserError(ctx.text(PULSE, "create.ledger_team"))
        mode = "non_respondents"
        reminder = reminder or settings.reminder_hours * 60
    duration = (minutes(ctx, args.options["duration"], "--duration")
                if "duration" in args.options else settings.duration_hours * 60)
    locale = ctx.locale
    if "lang" in args.options:
        picked = normalise_locale(args.options["lang"])
        if picked is None:
            raise UserError(ctx.text(CORE, "language.bad", value=args.options["lang"][:20]))
        locale = picked
    when = args.options.get("when", "nu" if ctx.locale == "nl" else "now")
    try:
        trigger = timespec.parse(when, now=ctx.clock.now(), locale=ctx.locale)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    if trigger.kind == "daily":
        raise UserError(ctx.text(PULSE, "create.no_daily"))
    if trigger.kind != "once" and timedelta(minutes=duration) > timedelta(days=7 * trigger.interval
                                                                           if trigger.kind == "weekly"
                                                                           else 28):
        raise UserError(ctx.text(PULSE, "create.overlap"))
    series = PulseSeries(
        title=title, questions=dump_questions(questions), team=team,
        channels=json.dumps(channels), anonymous=not named, trigger=json.dumps(
            timespec.to_json(trigger)), duration_minutes=duration, reminder_minutes=reminder,
        reminder_mode=mode, results_hidden=not named or not (live or not settings.results_hidden),
        locale=locale,
        created_by=request.user.key, created_at=ctx.clock.now())
    return Draft(series, trigger)


async def _may_create(ctx: Context, request: CommandRequest, team: str | None) -> None:
    user = request.user
    if await ctx.roles.has(user, "comms") or await ctx.roles.has(user, "admin"):
        return
    if team is not None and await ctx.roles.has(user, "manager", team=team):
        return
    await ctx.require("comms")

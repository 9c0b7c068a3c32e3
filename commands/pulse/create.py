"""``pulse create``: the checks that turn what was typed (or filled in) into a pulse series.

    /hartslag pulse create "Hoe gaat het?" --team zorg --when "elke maandag 9:00" --duration 2d
        --q1 "likert: Ik kan mijn werk goed doen" --q2 "text: Wat wil je nog kwijt?"

Questions may also be given one per line under the command. Options: ``--team T`` (DM to the
team's members) or ``--channel #c[,#d]`` / ``--channel here`` (post in channels; default: the
channel you are in), ``--when`` (default now), ``--duration`` (``90m``, ``36h``, ``3d``),
``--reminder 1d|off``, ``--remind-only-missing`` (needs the ledger, see keys.py), ``--named``
(not anonymous), ``--live`` (named only: results while open), ``--lang nl|en``.

The arguments are parsed by the declared command tree (commands/pulse/command.py); the form
and the step-by-step DM (commands/pulse/guide.py) build the same ``Args``, so every way of
creating a pulse meets the same checks and the same messages. ``build`` with a ``base``
is an edit: what is not given keeps its stored value.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import timedelta

from commands import timespec
from commands.context import Context
from commands.errors import UserError
from commands.grammar import Args
from commands.i18n import normalise_locale
from commands.messages import CORE
from commands.model import Address, CommandRequest, UserRef
from commands.org import load_tree
from commands.pulse.questions import QuestionError, dump_questions, parse_questions
from commands.pulse.settings import PulseSettings
from commands.pulse.text import PULSE
from commands.schedule import Trigger
from storage.pulse import PulseSeries

_DURATION = re.compile(r"^(\d{1,4})\s*(m|min|h|u|d)$", re.IGNORECASE)
_UNIT = {"m": 1, "min": 1, "h": 60, "u": 60, "d": 1440}
MAX_Q = 10  # --q1 .. --q10 are read; the settings' max_questions refuses more


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


def question_lines(args: Args, lines: list[str]) -> list[str]:
    given = [line for line in lines if line.strip()]
    return given + [args.options[f"q{i}"] for i in range(1, MAX_Q + 1) if f"q{i}" in args.options]


async def build(request: CommandRequest, ctx: Context, args: Args, lines: list[str], *,
                base: PulseSeries | None = None, check_role: bool = True) -> Draft:
    """Check everything before anything is stored. ``base``: the series being edited."""
    settings = ctx.settings.get(PulseSettings)
    questions_json = _questions(ctx, settings, question_lines(args, lines), base)
    title = (args.options.get("title") or args.rest()).strip() or (base.title if base else "")
    if not title or len(title) > 200:
        raise UserError(ctx.text(PULSE, "create.bad_title"))
    team, channels = await _audience(ctx, request, settings, args, base)
    if check_role:
        await may_create(ctx, request.user, team)
    named = ("named" in args.flags or (base is not None and not base.anonymous)) and \
        "anonymous" not in args.flags
    live = "live" in args.flags or (base is not None and named and not base.results_hidden
                                    and settings.results_hidden)
    if live and not named:
        raise UserError(ctx.text(PULSE, "create.live_named"))
    mode, reminder = _reminder(ctx, settings, args, team, base)
    duration = (minutes(ctx, args.options["duration"], "--duration")
                if "duration" in args.options else
                base.duration_minutes if base else settings.duration_hours * 60)
    trigger = _trigger(ctx, args, duration, base)
    series = PulseSeries(
        title=title, questions=questions_json, team=team, channels=json.dumps(channels),
        anonymous=not named, trigger=json.dumps(timespec.to_json(trigger)),
        duration_minutes=duration, reminder_minutes=reminder, reminder_mode=mode,
        results_hidden=not named or not (live or not settings.results_hidden),
        locale=_locale(ctx, args, base),
        created_by=base.created_by if base else request.user.key,
        created_at=base.created_at if base else ctx.clock.now(), state="draft")
    return Draft(series, trigger)


def _questions(ctx: Context, settings: PulseSettings, lines: list[str],
               base: PulseSeries | None) -> str:
    if not lines and base is not None:
        return base.questions
    try:
        return dump_questions(parse_questions(lines, maximum=settings.max_questions))
    except QuestionError as exc:
        raise UserError(ctx.text(PULSE, exc.key, **exc.values)) from None


async def _audience(ctx: Context, request: CommandRequest, settings: PulseSettings, args: Args,
                    base: PulseSeries | None) -> tuple[str | None, list[str]]:
    if base is not None and "team" not in args.options and "channel" not in args.options:
        return base.team, json.loads(base.channels)
    team = args.options.get("team")
    if team is None:
        return None, _channels(ctx, request, args.options.get("channel"))
    tree = await load_tree(ctx)
    if team not in tree.teams:
        raise UserError(ctx.text(PULSE, "no_team", team=team[:100]))
    channels = _channels(ctx, request, args.options["channel"]) if "channel" in args.options \
        else []
    return team, channels


def _reminder(ctx: Context, settings: PulseSettings, args: Args, team: str | None,
              base: PulseSeries | None) -> tuple[str, int]:
    if base is not None and "reminder" not in args.options and \
            "remind-only-missing" not in args.flags:
        return base.reminder_mode, base.reminder_minutes
    mode = "all" if settings.reminders == "all" else "off"
    reminder = settings.reminder_hours * 60 if mode != "off" else 0
    if "reminder" in args.options:
        value = args.options["reminder"]
        reminder = 0 if value.lower() in ("off", "uit", "0", "nee", "no") else \
            minutes(ctx, value, "--reminder")
        mode = "all" if reminder else "off"
    if "remind-only-missing" in args.flags:
        if not settings.allow_ledger:
            raise UserError(ctx.text(PULSE, "create.no_ledger"))
        if team is None:
            raise UserError(ctx.text(PULSE, "create.ledger_team"))
        mode = "non_respondents"
        reminder = reminder or settings.reminder_hours * 60
    return mode, reminder


def _locale(ctx: Context, args: Args, base: PulseSeries | None) -> str:
    if "lang" not in args.options:
        return base.locale if base else ctx.locale
    picked = normalise_locale(args.options["lang"])
    if picked is None:
        raise UserError(ctx.text(CORE, "language.bad", value=args.options["lang"][:20]))
    return picked


def _trigger(ctx: Context, args: Args, duration: int, base: PulseSeries | None) -> Trigger:
    if "when" not in args.options and base is not None and base.trigger:
        trigger = timespec.from_json(json.loads(base.trigger))
    else:
        when = args.options.get("when", "nu" if ctx.locale == "nl" else "now")
        try:
            trigger = timespec.parse(when, now=ctx.clock.now(), locale=ctx.locale)
        except ValueError as exc:
            raise UserError(str(exc)) from None
    if trigger.kind == "daily":
        raise UserError(ctx.text(PULSE, "create.no_daily"))
    gap = timedelta(days=7 * trigger.interval if trigger.kind == "weekly" else 28)
    if trigger.kind != "once" and timedelta(minutes=duration) > gap:
        raise UserError(ctx.text(PULSE, "create.overlap"))
    return trigger


async def may_create(ctx: Context, user: UserRef, team: str | None) -> None:
    """Comms and admins for any audience; a manager for their own team."""
    if await ctx.roles.has(user, "comms") or await ctx.roles.has(user, "admin"):
        return
    if team is not None and await ctx.roles.has(user, "manager", team=team):
        return
    await ctx.require("comms")

"""What people type for "when", in Dutch and English, turned into a ``Trigger``; and back.

``parse("elke maandag 9:00", now=...)`` gives a weekly Trigger; ``describe(trigger, "nl")``
says it in words; ``next_fire_times(trigger, after, n)`` lists the coming slots.

Fire times come from ``dateutil.rrule`` (RFC 5545 recurrence rules: DAILY / WEEKLY / MONTHLY
with an interval, ``byweekday`` and ``bymonthday``; -1 is the last day). The rule picks the
*dates*; the wall-clock time is then put on each date with zoneinfo, so both DST changes
follow one rule, ours:

- a time that does not exist (spring, 02:00-03:00 in Amsterdam) fires once, one hour later
  in wall-clock terms (02:30 becomes 03:30 CEST, the same instant as 01:30 UTC);
- a time that exists twice (autumn, 02:00-03:00) fires once, at the first occurrence (CEST).

Monthly triggers take day 1-28, or ``day=-1`` for the last day of the month (days 29-31 would
silently skip months, so they are refused).

APScheduler is only the engine's timer, in ``scheduling/``: features never import it
(tests/test_layers.py checks that).
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.relativedelta import relativedelta
from dateutil.rrule import DAILY, MONTHLY, WEEKLY, rrule

from commands.i18n import Catalog
from commands.schedule import DEFAULT_TIMEZONE, Trigger

LAST_DAY = -1  # Trigger.day for "the last day of the month"
_ANCHOR = date(2024, 1, 1)  # a Monday: the anchor of every-n triggers without a start

MESSAGES = Catalog(
    "timespec",
    {
        "nl": {
            "empty": "Geef een tijdstip, bijvoorbeeld 'morgen 9:00', 'elke maandag 9:00' of 'nu'.",
            "unknown": (
                "Ik begrijp '{text}' niet als tijdstip. Voorbeelden: 'nu', '2026-12-01 09:00', "
                "'morgen 9:00', 'over 2 uur', 'elke maandag 9:00', 'om de week maandag 9:00', "
                "'maandelijks 1 9:00', 'dagelijks 8:30'."
            ),
            "bad_time": "'{text}' is geen geldige tijd; schrijf bijvoorbeeld 9:00 of 17:30.",
            "bad_date": "'{text}' is geen geldige datum; schrijf bijvoorbeeld 2026-12-01.",
            "past": "Dat tijdstip ({when}) is al voorbij.",
            "bad_day": "Kies een dag van 1 tot en met 28, of 'laatste' voor de laatste dag.",
            "bad_interval": "Het aantal moet tussen 1 en {max} liggen.",
            "bad_zone": "Onbekende tijdzone '{zone}'.",
            "once": "eenmalig op {when}",
            "daily": "elke dag om {time}",
            "every_days": "om de {n:dag|dagen} om {time}",
            "weekly": "elke {weekday} om {time}",
            "every_weeks": "om de {n:week|weken} op {weekday} om {time}",
            "monthly": "elke maand op de {day} om {time}",
            "every_months": "om de {n} maanden op de {day} om {time}",
            "last_day": "laatste dag",
            "ordinal": "{n}e",
            "zone": " ({zone})",
        },
        "en": {
            "empty": "Give a time, for example 'tomorrow 9:00', 'every monday 9:00' or 'now'.",
            "unknown": (
                "I don't understand '{text}' as a time. Examples: 'now', '2026-12-01 09:00', "
                "'tomorrow 9:00', 'in 2h', 'every monday 9:00', 'every 2 weeks monday 9:00', "
                "'monthly 1 9:00', 'daily 8:30'."
            ),
            "bad_time": "'{text}' is not a valid time; write for example 9:00 or 17:30.",
            "bad_date": "'{text}' is not a valid date; write for example 2026-12-01.",
            "past": "That time ({when}) has already passed.",
            "bad_day": "Pick a day from 1 to 28, or 'last' for the last day of the month.",
            "bad_interval": "The number must be between 1 and {max}.",
            "bad_zone": "Unknown time zone '{zone}'.",
            "once": "once on {when}",
            "daily": "every day at {time}",
            "every_days": "every {n:day|days} at {time}",
            "weekly": "every {weekday} at {time}",
            "every_weeks": "every {n:week|weeks} on {weekday} at {time}",
            "monthly": "every month on the {day} at {time}",
            "every_months": "every {n} months on the {day} at {time}",
            "last_day": "last day",
            "ordinal": "{n}th",
            "zone": " ({zone})",
        },
    },
)

_WEEKDAYS: dict[str, int] = {}
for _index, _names in enumerate(
    (
        ("maandag", "ma", "monday", "mon"),
        ("dinsdag", "di", "tuesday", "tue", "tues"),
        ("woensdag", "wo", "wednesday", "wed"),
        ("donderdag", "do", "thursday", "thu", "thur", "thurs"),
        ("vrijdag", "vr", "friday", "fri"),
        ("zaterdag", "za", "saturday", "sat"),
        ("zondag", "zo", "sunday", "sun"),
    )
):
    for _name in _names:
        _WEEKDAYS[_name] = _index

_WEEKDAY_NAMES = {
    "nl": ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
_MONTH_NAMES = {
    "nl": ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}

_UNITS: dict[str, timedelta] = {}
for _delta, _words in (
    (timedelta(minutes=1), ("m", "min", "mins", "minute", "minutes", "minuut", "minuten")),
    (timedelta(hours=1), ("h", "hr", "hrs", "hour", "hours", "u", "uur", "uren")),
    (timedelta(days=1), ("d", "day", "days", "dag", "dagen")),
    (timedelta(weeks=1), ("w", "wk", "week", "weeks", "weken")),
):
    for _word in _words:
        _UNITS[_word] = _delta

_WD = "|".join(sorted(_WEEKDAYS, key=len, reverse=True))
_TIME = r"(?P<hour>\d{1,2})(?:[:.](?P<minute>\d{2}))?(?:\s*(?:uur|u|h))?"
_DAY = r"(?P<day>\d{1,2})(?:e|ste|de|st|nd|rd|th)?|(?P<last>laatste|last)(?:\s+(?:dag|day))?"
_EVERY = r"(?:every|each|elke|iedere)"
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern))
    for name, pattern in (
        ("now", r"(?:now|nu|direct|meteen|immediately|right now)"),
        ("relative", r"(?:in|over)\s+(?P<count>\d{1,4})\s*(?P<unit>[a-z]+)"),
        ("iso", r"(?P<y>\d{4})-(?P<mo>\d{1,2})-(?P<d>\d{1,2})(?:t|\s+)" + _TIME),
        ("dmy", r"(?P<d>\d{1,2})-(?P<mo>\d{1,2})-(?P<y>\d{4})\s+" + _TIME),
        ("dayword", r"(?P<word>today|vandaag|tomorrow|morgen|overmorgen|day after tomorrow)\s+"
         + _TIME),
        ("daily", rf"(?:daily|dagelijks|{_EVERY}\s+(?:day|dag))\s+" + _TIME),
        ("every_days", rf"(?:{_EVERY}|om\s+de)\s+(?P<n>\d{{1,3}})\s+(?:days|dagen)\s+" + _TIME),
        ("weekly", rf"(?:(?:{_EVERY}|weekly|wekelijks)\s+)(?P<wd>{_WD})\s+" + _TIME),
        ("every_weeks",
         rf"(?:(?:{_EVERY}|om\s+de)\s+(?P<n>\d{{1,2}})\s+(?:weeks|weken)|every\s+other\s+week"
         rf"|om\s+de\s+week|biweekly|tweewekelijks)\s+(?:on\s+|op\s+)?(?P<wd>{_WD})\s+" + _TIME),
        ("monthly",
         rf"(?:monthly|maandelijks|{_EVERY}\s+(?:month|maand))\s+(?:on\s+(?:the\s+)?|op\s+(?:de\s+)?)?"
         rf"(?:{_DAY})\s+" + _TIME),
        ("every_months",
         rf"(?:{_EVERY}|om\s+de)\s+(?P<n>\d{{1,2}})\s+(?:months|maanden)\s+"
         rf"(?:on\s+(?:the\s+)?|op\s+(?:de\s+)?)?(?:{_DAY})\s+" + _TIME),
        ("weekday", rf"(?:(?:next|volgende)\s+)?(?P<wd>{_WD})\s+" + _TIME),
        ("clock", r"(?P<hour>\d{1,2})[:.](?P<minute>\d{2})(?:\s*(?:uur|u|h))?"),
    )
)


def _msg(locale: str, key: str, **values: object) -> str:
    return MESSAGES.get(locale, key, **values)


def zone(name: str, *, locale: str = "nl") -> ZoneInfo:
    """The ZoneInfo for ``name``; ValueError with a user-facing message when unknown."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(_msg(locale, "bad_zone", zone=name)) from None


def _normalise(text: str) -> str:
    text = " ".join(text.strip().lower().split())
    # Filler before a time ("om 9:00", "at 9:00", "@ 9:00") carries no meaning.
    return re.sub(r"(?:\s+|^)(?:at|om|@)\s+(?=\d)", " ", text).strip()


def _clock(match: re.Match[str], locale: str) -> time:
    hour = int(match["hour"])
    minute = int(match["minute"] or 0)
    if hour > 23 or minute > 59:
        raise ValueError(_msg(locale, "bad_time", text=match.group(0)))
    return time(hour, minute)


def _interval(value: str | None, locale: str, *, maximum: int) -> int:
    n = int(value) if value else 1
    if not 1 <= n <= maximum:
        raise ValueError(_msg(locale, "bad_interval", max=maximum))
    return n


def _month_day(match: re.Match[str], locale: str) -> int:
    if match["last"]:
        return LAST_DAY
    day = int(match["day"])
    if not 1 <= day <= 28:
        raise ValueError(_msg(locale, "bad_day"))
    return day


def parse(
    text: str, *, now: datetime, timezone: str = DEFAULT_TIMEZONE, locale: str = "nl"
) -> Trigger:
    """Parse what a person typed into a Trigger in ``timezone``.

    Raises ValueError whose message (in ``locale``) can be shown to the person as it is.
    Recurring triggers start at ``now``; every-n triggers are anchored on their first slot.
    """
    tz = zone(timezone, locale=locale)
    cleaned = _normalise(text)
    if not cleaned:
        raise ValueError(_msg(locale, "empty"))
    local_now = now.astimezone(tz)
    for name, pattern in _PATTERNS:
        match = pattern.fullmatch(cleaned)
        if match:
            trigger = _build(name, match, local_now, timezone, locale)
            if trigger is not None:
                return trigger
    raise ValueError(_msg(locale, "unknown", text=text.strip()))


def _build(
    name: str, m: re.Match[str], now: datetime, timezone: str, locale: str
) -> Trigger | None:
    tz = now.tzinfo
    start = now.astimezone(UTC)
    if name == "now":
        return Trigger("once", at=start, timezone=timezone)
    if name == "relative":
        unit = _UNITS.get(m["unit"])
        if unit is None:
            return None
        count = _interval(m["count"], locale, maximum=9999)
        return Trigger("once", at=start + count * unit, timezone=timezone)
    if name in ("iso", "dmy", "dayword", "weekday", "clock"):
        return _once(name, m, now, timezone, locale)
    at = _clock(m, locale)
    if name == "daily":
        return Trigger("daily", time=at, timezone=timezone, start=start)
    if name == "every_days":
        n = _interval(m["n"], locale, maximum=365)
        first = _first_on_or_after(now, at, lambda d: True)
        return Trigger("daily", time=at, interval=n, timezone=timezone, start=first)
    if name == "weekly":
        return Trigger("weekly", time=at, weekday=_WEEKDAYS[m["wd"]], timezone=timezone,
                       start=start)
    if name == "every_weeks":
        weekday = _WEEKDAYS[m["wd"]]
        n = _interval(m["n"], locale, maximum=52) if m["n"] else 2
        first = _first_on_or_after(now, at, lambda d: d.weekday() == weekday)
        return Trigger("weekly", time=at, weekday=weekday, interval=n, timezone=timezone,
                       start=first)
    day = _month_day(m, locale)
    if name == "monthly":
        return Trigger("monthly", time=at, day=day, timezone=timezone, start=start)
    n = _interval(m["n"], locale, maximum=24)
    probe = Trigger("monthly", time=at, day=day, timezone=timezone)
    first_month = next_fire_time(probe, now - timedelta(microseconds=1))
    assert first_month is not None and tz is not None
    return Trigger("monthly", time=at, day=day, interval=n, timezone=timezone,
                   start=first_month.astimezone(UTC))


def _once(name: str, m: re.Match[str], now: datetime, timezone: str, locale: str) -> Trigger:
    at = _clock(m, locale)
    tz = now.tzinfo
    if name in ("iso", "dmy"):
        try:
            day = date(int(m["y"]), int(m["mo"]), int(m["d"]))
        except ValueError:
            raise ValueError(_msg(locale, "bad_date", text=m.group(0).split()[0])) from None
    elif name == "clock":  # the next time the clock shows this: today, else tomorrow
        day = now.date()
        if _wall(day, at, tz) <= now:
            day += timedelta(days=1)
    elif name == "dayword":
        offset = {"today": 0, "vandaag": 0, "tomorrow": 1, "morgen": 1}.get(m["word"], 2)
        day = now.date() + timedelta(days=offset)
    else:
        weekday = _WEEKDAYS[m["wd"]]
        day = now.date() + timedelta(days=(weekday - now.weekday()) % 7)
        if _wall(day, at, tz) <= now:
            day += timedelta(days=7)
    when = _wall(day, at, tz)
    if when < now - timedelta(minutes=1):
        raise ValueError(_msg(locale, "past", when=_format_when(when, locale)))
    return Trigger("once", at=when.astimezone(UTC), timezone=timezone)


def _wall(day: date, at: time, tz: Any) -> datetime:
    """``day`` at wall-clock ``at``: fold=0 picks the first of a repeated hour, and a time in
    the spring gap keeps the pre-change offset (02:30+01:00 = 03:30 CEST)."""
    return datetime.combine(day, at, tzinfo=tz)


def _first_on_or_after(now: datetime, at: time, ok: Any) -> datetime:
    day = now.date()
    for _ in range(8):
        candidate = _wall(day, at, now.tzinfo)
        if ok(day) and candidate >= now:
            return candidate.astimezone(UTC)
        day += timedelta(days=1)
    raise AssertionError("no matching day within a week")


# -- fire times --------------------------------------------------------------------------

_FREQUENCIES = {"daily": DAILY, "weekly": WEEKLY, "monthly": MONTHLY}


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0, 0))


def _rule(trigger: Trigger, tz: ZoneInfo, from_day: date) -> rrule:
    """The trigger's dates (naive midnights) as an RFC 5545 rule starting near ``from_day``.

    An every-n trigger keeps the rhythm of its first slot on or after ``start`` (or
    ``_ANCHOR``); an every-1 trigger has no rhythm, so its rule simply starts at ``from_day``.
    """
    freq = _FREQUENCIES.get(trigger.kind)
    if freq is None:
        raise ValueError(f"unknown trigger kind {trigger.kind!r}")
    by: dict[str, int] = {}
    if trigger.kind == "weekly":
        by["byweekday"] = trigger.weekday if trigger.weekday is not None else 0
    elif trigger.kind == "monthly":
        by["bymonthday"] = trigger.day or 1  # LAST_DAY (-1) is rrule's "last day" too
    if trigger.interval == 1:
        return rrule(freq, dtstart=_midnight(from_day), **by)
    anchor = trigger.start.astimezone(tz).date() if trigger.start else _ANCHOR
    first = rrule(freq, dtstart=_midnight(anchor), count=1, **by)[0].date()
    return rrule(freq, interval=trigger.interval, dtstart=_midnight(
        _skip_periods(trigger, first, from_day)), **by)


def _skip_periods(trigger: Trigger, first: date, from_day: date) -> date:
    """The start of the last whole period (of ``interval`` days / weeks / months, counted
    from ``first``) that begins on or before ``from_day``, never before ``first``.

    Why: rrule walks every period from its dtstart, so a schedule years old would cost
    thousands of steps per fire time; starting the rule here keeps its rhythm at O(1) cost.
    """
    n = trigger.interval
    if trigger.kind == "monthly":
        months = (from_day.year - first.year) * 12 + from_day.month - first.month
        return first.replace(day=1) + relativedelta(months=max(0, months // n) * n)
    step = n * (7 if trigger.kind == "weekly" else 1)
    return first + timedelta(days=max(0, (from_day - first).days // step) * step)


def next_fire_time(trigger: Trigger, after: datetime) -> datetime | None:
    """The first slot strictly after ``after`` (aware, in the trigger's zone), or None."""
    tz = zone(trigger.timezone)
    if trigger.kind == "once":
        if trigger.at is None:
            raise ValueError("a once trigger needs 'at'")
        at = trigger.at.astimezone(tz)
        return at if at > after else None
    if trigger.time is None:
        raise ValueError(f"a {trigger.kind} trigger needs 'time'")
    lower = after
    if trigger.start is not None and trigger.start > after:
        lower = trigger.start - timedelta(microseconds=1)
    # A day early: a wall time in a gap just before midnight (a zone whose clock jumps from
    # 23:00 to 00:00) is an instant on the next day, so that date's slot may still count.
    from_day = lower.astimezone(tz).date() - timedelta(days=1)
    for occurrence in _rule(trigger, tz, from_day).xafter(_midnight(from_day), inc=True):
        when = _wall(occurrence.date(), trigger.time, tz)
        if trigger.end is not None and when > trigger.end:
            return None
        if when > lower:
            return when
    return None


def next_fire_times(trigger: Trigger, after: datetime, n: int) -> list[datetime]:
    """The next ``n`` slots strictly after ``after`` (fewer when the trigger ends)."""
    result: list[datetime] = []
    cursor = after
    while len(result) < n:
        found = next_fire_time(trigger, cursor)
        if found is None:
            break
        result.append(found)
        cursor = found
    return result


def first_fire_time(trigger: Trigger, now: datetime) -> datetime | None:
    """The first slot at or after ``now``; a once trigger gives ``at`` even when past (the
    scheduler's missed-slot policy then decides), so "now" always fires."""
    if trigger.kind == "once":
        return trigger.at.astimezone(zone(trigger.timezone)) if trigger.at else None
    return next_fire_time(trigger, now - timedelta(microseconds=1))


# -- words ---------------------------------------------------------------------------------


def _format_time(at: time) -> str:
    return f"{at.hour:02d}:{at.minute:02d}"


def _format_when(when: datetime, locale: str) -> str:
    names = _MONTH_NAMES.get(locale, _MONTH_NAMES["nl"])
    weekday = _WEEKDAY_NAMES.get(locale, _WEEKDAY_NAMES["nl"])[when.weekday()]
    return (f"{weekday[:2] if locale == 'nl' else weekday[:3]} {when.day} "
            f"{names[when.month - 1]} {when.year} {_format_time(when.time())}")


def describe(trigger: Trigger, locale: str = "nl", *, show_zone: bool = False) -> str:
    """The trigger in words: "elke maandag om 09:00", "every 2 weeks on Monday at 09:00"."""
    tz = zone(trigger.timezone)
    suffix = _msg(locale, "zone", zone=trigger.timezone) if show_zone else ""
    if trigger.kind == "once":
        assert trigger.at is not None
        return _msg(locale, "once", when=_format_when(trigger.at.astimezone(tz), locale)) + suffix
    assert trigger.time is not None
    at = _format_time(trigger.time)
    n = trigger.interval
    if trigger.kind == "daily":
        text = _msg(locale, "daily" if n == 1 else "every_days", time=at, n=n)
    elif trigger.kind == "weekly":
        weekday = _WEEKDAY_NAMES.get(locale, _WEEKDAY_NAMES["nl"])[trigger.weekday or 0]
        text = _msg(locale, "weekly" if n == 1 else "every_weeks", time=at, n=n, weekday=weekday)
    else:
        day = (_msg(locale, "last_day") if trigger.day == LAST_DAY
               else _ordinal(trigger.day or 1, locale))
        text = _msg(locale, "monthly" if n == 1 else "every_months", time=at, n=n, day=day)
    return text + suffix


def _ordinal(n: int, locale: str) -> str:
    if locale == "en":
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(n % 10 if n not in (11, 12, 13) else 0, "th")
        return f"{n}{suffix}"
    return _msg(locale, "ordinal", n=n)


# -- storage form --------------------------------------------------------------------------

TriggerKind = Literal["once", "daily", "weekly", "monthly"]


def to_json(trigger: Trigger) -> dict[str, Any]:
    """A JSON-safe dict (datetimes as ISO 8601 UTC, times as HH:MM)."""
    def iso(value: datetime | None) -> str | None:
        return value.astimezone(UTC).isoformat() if value else None

    return {
        "kind": trigger.kind, "at": iso(trigger.at),
        "time": trigger.time.strftime("%H:%M:%S") if trigger.time else None,
        "weekday": trigger.weekday, "day": trigger.day, "interval": trigger.interval,
        "timezone": trigger.timezone, "start": iso(trigger.start), "end": iso(trigger.end),
    }


def from_json(data: dict[str, Any]) -> Trigger:
    """Inverse of ``to_json``."""
    def dt(value: str | None) -> datetime | None:
        return datetime.fromisoformat(value) if value else None

    return Trigger(
        kind=data["kind"], at=dt(data.get("at")),
        time=time.fromisoformat(data["time"]) if data.get("time") else None,
        weekday=data.get("weekday"), day=data.get("day"), interval=int(data.get("interval", 1)),
        timezone=data.get("timezone", DEFAULT_TIMEZONE), start=dt(data.get("start")),
        end=dt(data.get("end")),
    )


def validate(trigger: Trigger) -> Trigger:
    """Check a Trigger built in code (not parsed): ValueError on an impossible one.

    Naive datetimes are refused; the result has UTC datetimes."""
    zone(trigger.timezone)
    for name in ("at", "start", "end"):
        value = getattr(trigger, name)
        if value is not None and value.tzinfo is None:
            raise ValueError(f"Trigger.{name} must be timezone-aware")
    if trigger.kind == "once" and trigger.at is None:
        raise ValueError("a once trigger needs 'at'")
    if trigger.kind != "once" and trigger.time is None:
        raise ValueError(f"a {trigger.kind} trigger needs 'time'")
    if trigger.kind == "weekly" and not (trigger.weekday is not None and 0 <= trigger.weekday <= 6):
        raise ValueError("a weekly trigger needs weekday 0-6 (0 = Monday)")
    if trigger.kind == "monthly" and not (trigger.day == LAST_DAY or 1 <= (trigger.day or 0) <= 28):
        raise ValueError("a monthly trigger needs day 1-28 or -1 (last day)")
    if trigger.interval < 1:
        raise ValueError("interval must be at least 1")
    return replace(
        trigger,
        at=trigger.at.astimezone(UTC) if trigger.at else None,
        start=trigger.start.astimezone(UTC) if trigger.start else None,
        end=trigger.end.astimezone(UTC) if trigger.end else None,
    )

"""commands.timespec's dateutil.rrule fire times against the APScheduler algorithm they replace.

The reference below is the fire-time code commands/timespec.py had up to issue 21 (APScheduler
3.11 trigger classes picked the dates, zoneinfo put the wall-clock time on them), kept here
only as the yardstick. Tests may import APScheduler; commands/ may not (tests/test_layers.py).

Two deliberate differences are left out of the random comparison and tested on their own:
the old code gave up after 1000 dates from the anchor (an every-2-days schedule went silent
after ~5.5 years), and for "every n months on the last day" without a ``start`` it also gave
dates before 2024-01-01 (the anchor); the new code starts every rhythm at its anchor.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.calendarinterval import CalendarIntervalTrigger
from apscheduler.triggers.cron import CronTrigger

from commands import timespec
from commands.schedule import Trigger
from commands.timespec import LAST_DAY, first_fire_time, next_fire_times, parse, validate

# -- the reference: the pre-issue-21 algorithm, verbatim apart from names -------------------

_ANCHOR = date(2024, 1, 1)
_NOON = time(12, 0)
_MAX_STEPS = 1000


def _date_trigger(trigger: Trigger, tz: ZoneInfo) -> BaseTrigger:
    anchor = trigger.start.astimezone(tz).date() if trigger.start else _ANCHOR
    common: dict[str, Any] = {"hour": 12, "minute": 0, "timezone": tz}
    if trigger.kind == "daily":
        if trigger.interval == 1:
            return CronTrigger(**common)
        return CalendarIntervalTrigger(days=trigger.interval, start_date=anchor, **common)
    if trigger.kind == "weekly":
        weekday = trigger.weekday if trigger.weekday is not None else 0
        if trigger.interval == 1:
            return CronTrigger(day_of_week=weekday, **common)
        anchor += timedelta(days=(weekday - anchor.weekday()) % 7)
        return CalendarIntervalTrigger(weeks=trigger.interval, start_date=anchor, **common)
    day = trigger.day or 1
    cron_day: str | int = "last" if day == LAST_DAY else day
    if trigger.interval == 1 or day == LAST_DAY:
        return CronTrigger(day=cron_day, **common)
    if anchor.day <= day:
        anchor = anchor.replace(day=day)
    else:
        year, month = (anchor.year + 1, 1) if anchor.month == 12 else (anchor.year, anchor.month + 1)
        anchor = date(year, month, day)
    return CalendarIntervalTrigger(months=trigger.interval, start_date=anchor, **common)


def _dates(trigger: Trigger, tz: ZoneInfo, from_day: date) -> Iterator[date]:
    aps = _date_trigger(trigger, tz)
    fire = aps.get_next_fire_time(None, datetime.combine(from_day, _NOON, tzinfo=tz))
    anchor = trigger.start.astimezone(tz).date() if trigger.start else None
    for _ in range(_MAX_STEPS):
        if fire is None:
            return
        day = fire.astimezone(tz).date()
        if not _thinned_out(trigger, anchor, day):
            yield day
        fire = aps.get_next_fire_time(fire, fire)


def _thinned_out(trigger: Trigger, anchor: date | None, day: date) -> bool:
    if trigger.kind != "monthly" or trigger.day != LAST_DAY or trigger.interval == 1:
        return False
    base = anchor or _ANCHOR
    months = (day.year - base.year) * 12 + day.month - base.month
    return months % trigger.interval != 0


def reference_next_fire_time(trigger: Trigger, after: datetime) -> datetime | None:
    tz = ZoneInfo(trigger.timezone)
    if trigger.kind == "once":
        assert trigger.at is not None
        at = trigger.at.astimezone(tz)
        return at if at > after else None
    assert trigger.time is not None
    lower = after
    if trigger.start is not None and trigger.start > after:
        lower = trigger.start - timedelta(microseconds=1)
    from_day = lower.astimezone(tz).date() - timedelta(days=1)
    for day in _dates(trigger, tz, from_day):
        when = datetime.combine(day, trigger.time, tzinfo=tz)
        if trigger.end is not None and when > trigger.end:
            return None
        if when > lower:
            return when
    return None


def reference_next_fire_times(trigger: Trigger, after: datetime, n: int) -> list[datetime]:
    result: list[datetime] = []
    cursor = after
    while len(result) < n:
        found = reference_next_fire_time(trigger, cursor)
        if found is None:
            break
        result.append(found)
        cursor = found
    return result


# -- random triggers ----------------------------------------------------------------------

SEED = 21
TRIGGERS = 3200
SLOTS = 6  # fire times compared per trigger, plus its first_fire_time
# Amsterdam is the product's zone; the others add a southern-hemisphere change (Sydney),
# changes at midnight (Santiago), a 30-minute change (Lord Howe) and no DST at all (Kolkata).
ZONES = ["Europe/Amsterdam"] * 8 + ["America/New_York", "Australia/Sydney", "America/Santiago",
                                    "Australia/Lord_Howe", "Asia/Kolkata"]
MAX_INTERVAL = {"daily": 365, "weekly": 52, "monthly": 24}


def _transitions(name: str) -> list[datetime]:
    """The UTC instants in 2024-2028 where ``name``'s offset changes (to the hour)."""
    tz = ZoneInfo(name)
    found = []
    hour = datetime(2024, 1, 1, tzinfo=UTC)
    offset = hour.astimezone(tz).utcoffset()
    while hour.year < 2029:
        step = hour + timedelta(hours=1)
        now_offset = step.astimezone(tz).utcoffset()
        if now_offset != offset:
            found.append(step)
            offset = now_offset
        hour = step
    return found


TRANSITIONS = {name: _transitions(name) for name in set(ZONES)}


def _instant(rng: random.Random, zone_name: str) -> datetime:
    """Mostly within four days of a DST change (the hard cases), else anywhere in 2024-2028."""
    changes = TRANSITIONS[zone_name]
    if changes and rng.random() < 0.75:
        base = rng.choice(changes) - timedelta(days=rng.randint(0, 4))
        return base + timedelta(minutes=rng.randint(-6 * 60, 6 * 60))
    return datetime(2024, 1, 1, tzinfo=UTC) + timedelta(minutes=rng.randint(0, 5 * 365 * 24 * 60))


def random_case(rng: random.Random) -> tuple[Trigger, datetime]:
    zone_name = rng.choice(ZONES)
    kind = rng.choice(["daily", "weekly", "monthly"])
    roll = rng.random()
    interval = 1 if roll < 0.45 else rng.randint(2, 4) if roll < 0.85 else rng.randint(
        2, MAX_INTERVAL[kind])
    # Hours 0-3 and 23 hold every zone's changes; seconds appear in stored "HH:MM:SS".
    hour = rng.choice([0, 1, 2, 2, 2, 3, 23]) if rng.random() < 0.6 else rng.randint(0, 23)
    at = time(hour, rng.choice([0, 1, 15, 30, 45, 59]), rng.choice([0, 0, 0, 30]))
    day = LAST_DAY if rng.random() < 0.3 else rng.choice([1, 28, rng.randint(1, 28)])
    after = _instant(rng, zone_name)
    start = None
    if rng.random() < 0.8:  # parse() always sets start; code-built triggers may not
        back = rng.choice([0, 1, 7, 40, 400]) * rng.random()
        start = after - timedelta(days=back) + timedelta(days=rng.choice([0, 0, 0, 1, 20]))
    end = None
    if rng.random() < 0.3:
        end = after + timedelta(days=rng.choice([0, 3, 30, 200]) * rng.random())
    weekday = 6 if rng.random() < 0.5 else rng.randint(0, 6)  # most changes fall on a Sunday
    trigger = validate(Trigger(kind, time=at, weekday=weekday, day=day,  # type: ignore[arg-type]
                               interval=interval, timezone=zone_name, start=start, end=end))
    # The same after given three ways: UTC, and in the zone (where Python compares wall
    # clocks, not instants), including the second pass through a repeated hour.
    shape = rng.random()
    if shape < 0.2:
        after = after.astimezone(ZoneInfo(zone_name))
    elif shape < 0.3:
        after = after.astimezone(ZoneInfo(zone_name)).replace(fold=1)
    return trigger, after


def _shown(times: list[datetime | None]) -> list[tuple[str, str] | None]:
    return [(t.isoformat(), t.astimezone(UTC).isoformat()) if t else None for t in times]


def test_rrule_fire_times_equal_the_apscheduler_algorithm() -> None:
    rng = random.Random(SEED)
    differences: list[str] = []
    seen: Counter[str] = Counter()
    for _ in range(TRIGGERS):
        trigger, after = random_case(rng)
        new = [first_fire_time(trigger, after), *next_fire_times(trigger, after, SLOTS)]
        old = [reference_next_fire_time(trigger, after - timedelta(microseconds=1)),
               *reference_next_fire_times(trigger, after, SLOTS)]
        if _shown(new) != _shown(old):
            differences.append(f"{trigger} after {after!r}: {_shown(new)} != {_shown(old)}")
        _count(seen, trigger, [t for t in new if t is not None])
    assert differences == [], f"{len(differences)} of {TRIGGERS} differ:\n" + "\n".join(
        differences[:5])
    # The comparison must have met the hard cases, not only easy ones.
    assert seen["fire times"] >= TRIGGERS * SLOTS * 0.8
    assert seen["on a DST change day"] >= 300
    assert seen["in a spring gap"] >= 50
    assert seen["in a repeated hour"] >= 50
    assert seen["monthly last day"] >= 250
    assert seen["last day every n months"] >= 100
    assert seen["every n"] >= 1200
    assert seen["stopped by end"] >= 200


def _count(seen: Counter[str], trigger: Trigger, times: list[datetime]) -> None:
    tz = ZoneInfo(trigger.timezone)
    seen["fire times"] += len(times)
    for when in times:
        local = when.astimezone(UTC).astimezone(tz)  # via UTC: a gap time comes out real
        midnight = datetime.combine(local.date(), time(0), tzinfo=tz)
        if midnight.utcoffset() != (midnight + timedelta(days=1)).astimezone(tz).utcoffset():
            seen["on a DST change day"] += 1
        if local.time() != trigger.time:
            seen["in a spring gap"] += 1
        if local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset():
            seen["in a repeated hour"] += 1
    seen["monthly last day"] += trigger.kind == "monthly" and trigger.day == LAST_DAY
    seen["last day every n months"] += (trigger.kind == "monthly" and trigger.day == LAST_DAY
                                        and trigger.interval > 1)
    seen["every n"] += trigger.interval > 1
    seen["stopped by end"] += trigger.end is not None and len(times) < SLOTS + 1


def test_parse_picks_the_same_first_month(monkeypatch: pytest.MonkeyPatch) -> None:
    """parse() anchors "om de n maanden" on a fire time; with the reference it anchors the same."""
    rng = random.Random(SEED + 1)
    texts = []
    for _ in range(300):
        day = rng.choice(["laatste", "last day", str(rng.randint(1, 28))])
        hour = rng.choice([2, 9, 23, rng.randint(0, 23)])
        texts.append((f"om de {rng.randint(2, 24)} maanden op de {day} {hour}:30",
                      _instant(rng, "Europe/Amsterdam")))
    new = [parse(text, now=now) for text, now in texts]
    monkeypatch.setattr(timespec, "next_fire_time", reference_next_fire_time)
    old = [parse(text, now=now) for text, now in texts]
    assert new == old


# -- the two deliberate differences ---------------------------------------------------------


def test_an_every_n_days_schedule_keeps_firing_after_a_thousand_slots() -> None:
    """The old code stopped after 1000 dates from the anchor: every 2 days from 2024 went
    silent in mid-2029. The rhythm (even days from the start) must hold years later."""
    start = datetime(2024, 1, 1, 8, tzinfo=UTC)
    trigger = validate(Trigger("daily", time=time(9, 0), interval=2, start=start))
    after = datetime(2035, 6, 1, tzinfo=UTC)
    assert reference_next_fire_time(trigger, after) is None  # the old limit, for the record
    times = next_fire_times(trigger, after, 3)
    assert [(t.date() - start.date()).days % 2 for t in times] == [0, 0, 0]
    assert times[0].date() in (date(2035, 6, 1), date(2035, 6, 2))
    assert times[0].time() == time(9, 0)


def test_last_day_every_n_months_without_start_counts_from_the_anchor() -> None:
    """No start: the rhythm counts from 2024-01 and has no slots before it (the old code
    also gave the pre-2024 ones, which no schedule ever asked for)."""
    trigger = validate(Trigger("monthly", time=time(9, 0), day=LAST_DAY, interval=3))
    times = next_fire_times(trigger, datetime(2023, 6, 1, tzinfo=UTC), 3)
    assert [t.date() for t in times] == [date(2024, 1, 31), date(2024, 4, 30), date(2024, 7, 31)]
    later = next_fire_times(trigger, datetime(2026, 11, 5, tzinfo=UTC), 2)
    assert [t.date() for t in later] == [date(2027, 1, 31), date(2027, 4, 30)]
    assert later == reference_next_fire_times(trigger, datetime(2026, 11, 5, tzinfo=UTC), 2)


# -- stored triggers ------------------------------------------------------------------------

# Rows as the pre-issue-21 to_json wrote them into schedules.trigger: read as they are.
STORED = [
    {"kind": "weekly", "at": None, "time": "09:00:00", "weekday": 0, "day": None, "interval": 2,
     "timezone": "Europe/Amsterdam", "start": "2026-03-16T08:00:00+00:00", "end": None},
    {"kind": "monthly", "at": None, "time": "02:30:00", "weekday": None, "day": -1,
     "interval": 3, "timezone": "Europe/Amsterdam", "start": "2026-01-31T01:30:00+00:00",
     "end": "2027-12-31T00:00:00+00:00"},
    {"kind": "daily", "at": None, "time": "02:15:00", "weekday": None, "day": None,
     "interval": 1, "timezone": "Europe/Amsterdam", "start": None, "end": None},
    {"kind": "once", "at": "2026-10-25T01:30:00+00:00", "time": None, "weekday": None,
     "day": None, "interval": 1, "timezone": "Europe/Amsterdam", "start": None, "end": None},
]


@pytest.mark.parametrize("stored", STORED, ids=[row["kind"] for row in STORED])
def test_stored_triggers_read_back_unchanged(stored: dict[str, Any]) -> None:
    trigger = timespec.from_json(stored)
    assert timespec.to_json(trigger) == stored  # same JSON shape: no migration
    after = datetime(2026, 3, 1, tzinfo=UTC)
    times = next_fire_times(trigger, after, 8)
    assert times, "a stored trigger must still fire"
    assert _shown(list(times)) == _shown(list(reference_next_fire_times(trigger, after, 8)))

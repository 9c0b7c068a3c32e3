"""commands.timespec: what people type, in Dutch and English, and DST-correct fire times."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commands.schedule import Trigger
from commands.timespec import (
    LAST_DAY,
    describe,
    first_fire_time,
    from_json,
    next_fire_times,
    parse,
    to_json,
    validate,
)

AMS = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=AMS)  # a Monday


def z(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "kind", "first"),
    [
        ("now", "once", "2026-11-23 08:00"),
        ("nu", "once", "2026-11-23 08:00"),
        ("2026-12-01 09:00", "once", "2026-12-01 08:00"),
        ("1-12-2026 9:00", "once", "2026-12-01 08:00"),
        ("morgen 9:00", "once", "2026-11-24 08:00"),
        ("tomorrow at 9:00", "once", "2026-11-24 08:00"),
        ("morgen om 9.00 uur", "once", "2026-11-24 08:00"),
        ("in 2h", "once", "2026-11-23 10:00"),
        ("over 2 uur", "once", "2026-11-23 10:00"),
        ("over 30 minuten", "once", "2026-11-23 08:30"),
        ("vrijdag 16:00", "once", "2026-11-27 15:00"),
        ("om 17:00", "once", "2026-11-23 16:00"),
        ("8:15", "once", "2026-11-24 07:15"),
        ("every monday 09:00", "weekly", "2026-11-23 08:00"),  # now is a slot
        ("elke maandag 10:00", "weekly", "2026-11-23 09:00"),
        ("iedere dinsdag om 10:15", "weekly", "2026-11-24 09:15"),
        ("every 2 weeks monday 09:00", "weekly", "2026-11-23 08:00"),
        ("om de week maandag 9:30", "weekly", "2026-11-23 08:30"),
        ("om de 3 weken op vrijdag 12:00", "weekly", "2026-11-27 11:00"),
        ("monthly 1 09:00", "monthly", "2026-12-01 08:00"),
        ("maandelijks 1 09:00", "monthly", "2026-12-01 08:00"),
        ("elke maand op de 15e 9:00", "monthly", "2026-12-15 08:00"),
        ("maandelijks laatste 17:00", "monthly", "2026-11-30 16:00"),
        ("daily 08:30", "daily", "2026-11-24 07:30"),
        ("dagelijks 8:30", "daily", "2026-11-24 07:30"),
        ("elke dag 10:00", "daily", "2026-11-23 09:00"),
        ("om de 2 dagen 7:00", "daily", "2026-11-24 06:00"),
    ],
)
def test_parse_dutch_and_english(text: str, kind: str, first: str) -> None:
    trigger = parse(text, now=NOW)
    assert trigger.kind == kind
    assert first_fire_time(trigger, NOW.astimezone(UTC)) == z(first)


def test_every_n_weeks_keeps_its_rhythm() -> None:
    trigger = parse("om de week maandag 9:00", now=NOW)
    times = next_fire_times(trigger, NOW, 3)
    assert [t.date().isoformat() for t in times] == ["2026-12-07", "2026-12-21", "2027-01-04"]


@pytest.mark.parametrize(
    ("text", "fragment_nl", "fragment_en"),
    [
        ("gisteren", "begrijp", "understand"),
        ("", "Geef een tijdstip", "Give a time"),
        ("morgen 25:00", "geen geldige tijd", "not a valid time"),
        ("2026-02-30 9:00", "geen geldige datum", "not a valid date"),
        ("2020-01-01 10:00", "al voorbij", "already passed"),
        ("maandelijks 31 9:00", "1 tot en met 28", "1 to 28"),
        ("om de 99 weken maandag 9:00", "tussen 1 en 52", "between 1 and 52"),
        ("in 3 parsecs", "begrijp", "understand"),
    ],
)
def test_errors_speak_the_users_language(text: str, fragment_nl: str, fragment_en: str) -> None:
    with pytest.raises(ValueError, match=fragment_nl):
        parse(text, now=NOW)
    with pytest.raises(ValueError, match=fragment_en):
        parse(text, now=NOW, locale="en")


def test_unknown_timezone_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="tijdzone"):
        parse("nu", now=NOW, timezone="Mars/Olympus")


@pytest.mark.parametrize(
    ("text", "nl", "en"),
    [
        ("elke maandag 9:00", "elke maandag om 09:00", "every Monday at 09:00"),
        ("om de week maandag 9:00", "om de 2 weken op maandag om 09:00",
         "every 2 weeks on Monday at 09:00"),
        ("maandelijks 1 9:00", "elke maand op de 1e om 09:00", "every month on the 1st at 09:00"),
        ("maandelijks laatste 9:00", "elke maand op de laatste dag om 09:00",
         "every month on the last day at 09:00"),
        ("dagelijks 8:30", "elke dag om 08:30", "every day at 08:30"),
        ("2026-12-01 09:00", "eenmalig op di 1 dec 2026 09:00", "once on Tue 1 Dec 2026 09:00"),
    ],
)
def test_describe(text: str, nl: str, en: str) -> None:
    trigger = parse(text, now=NOW)
    assert describe(trigger, "nl") == nl
    assert describe(trigger, "en") == en


# -- DST: both changes, in UTC, for every kind of trigger ---------------------------------
# 2026-03-29 02:00 CET -> 03:00 CEST (02:00-03:00 does not exist)
# 2026-10-25 03:00 CEST -> 02:00 CET (02:00-03:00 happens twice)
DST_TABLE = [
    ("daily 09:00 spring", Trigger("daily", time=time(9, 0)), "2026-03-27 12:00",
     ["2026-03-28 08:00", "2026-03-29 07:00", "2026-03-30 07:00"]),
    ("daily 02:30 spring: once, at 03:30 CEST", Trigger("daily", time=time(2, 30)),
     "2026-03-27 12:00", ["2026-03-28 01:30", "2026-03-29 01:30", "2026-03-30 00:30"]),
    ("daily 09:00 autumn", Trigger("daily", time=time(9, 0)), "2026-10-23 12:00",
     ["2026-10-24 07:00", "2026-10-25 08:00", "2026-10-26 08:00"]),
    ("daily 02:30 autumn: once, the first (CEST)", Trigger("daily", time=time(2, 30)),
     "2026-10-23 12:00", ["2026-10-24 00:30", "2026-10-25 00:30", "2026-10-26 01:30"]),
    ("weekly sunday 02:30 spring", Trigger("weekly", time=time(2, 30), weekday=6),
     "2026-03-21 12:00", ["2026-03-22 01:30", "2026-03-29 01:30", "2026-04-05 00:30"]),
    ("every 2 weeks sunday 02:30 spring: the change date is not skipped",
     Trigger("weekly", time=time(2, 30), weekday=6, interval=2,
             start=datetime(2026, 3, 15, tzinfo=AMS)),
     "2026-03-10 12:00", ["2026-03-15 01:30", "2026-03-29 01:30", "2026-04-12 00:30"]),
    ("every 2 days 02:15 autumn",
     Trigger("daily", time=time(2, 15), interval=2, start=datetime(2026, 10, 23, tzinfo=AMS)),
     "2026-10-22 12:00", ["2026-10-23 00:15", "2026-10-25 00:15", "2026-10-27 01:15"]),
    ("monthly 25th 02:30 across both changes", Trigger("monthly", time=time(2, 30), day=25),
     "2026-02-01 12:00", ["2026-02-25 01:30", "2026-03-25 01:30", "2026-04-25 00:30"]),
    ("monthly last day 09:00", Trigger("monthly", time=time(9, 0), day=LAST_DAY),
     "2026-01-31 12:00", ["2026-02-28 08:00", "2026-03-31 07:00", "2026-04-30 07:00"]),
    ("once in the autumn hour", Trigger("once", at=datetime(2026, 10, 25, 2, 30, fold=1,
                                                             tzinfo=AMS)),
     "2026-10-24 12:00", ["2026-10-25 01:30"]),
]


@pytest.mark.parametrize(("name", "trigger", "after", "expected"), DST_TABLE,
                         ids=[row[0] for row in DST_TABLE])
def test_dst_table(name: str, trigger: Trigger, after: str, expected: list[str]) -> None:
    times = next_fire_times(validate(trigger), z(after), len(expected) + 1)
    assert [t.astimezone(UTC) for t in times[: len(expected)]] == [z(e) for e in expected]


@settings(max_examples=60, deadline=None)
@given(
    hour=st.integers(0, 23), minute=st.sampled_from([0, 15, 30, 45]),
    kind=st.sampled_from(["daily", "weekly"]), interval=st.integers(1, 3),
    weekday=st.integers(0, 6), start_day=st.integers(0, 700),
)
def test_fire_times_once_per_date_at_the_wall_time(
    hour: int, minute: int, kind: str, interval: int, weekday: int, start_day: int
) -> None:
    after = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=start_day)
    trigger = validate(Trigger(kind, time=time(hour, minute), weekday=weekday,  # type: ignore[arg-type]
                               interval=interval, start=after))
    times = next_fire_times(trigger, after, 12)
    assert len(times) == 12
    dates = [t.astimezone(AMS).date() for t in times]
    assert len(set(dates)) == len(dates)
    assert all(a < b for a, b in pairwise(times))
    step = timedelta(days=interval * (7 if kind == "weekly" else 1))
    assert all(b - a == step for a, b in pairwise(dates))
    for when in times:
        local = when.astimezone(AMS)
        in_gap = local.dst() and (local - timedelta(hours=1)).dst() != local.dst()
        assert (local.hour, local.minute) == (hour, minute) or in_gap or hour == 2


def test_json_round_trip() -> None:
    for text in ("nu", "elke maandag 9:00", "om de week maandag 9:00", "maandelijks laatste 9:00"):
        trigger = parse(text, now=NOW)
        assert from_json(to_json(trigger)) == validate(trigger)


def test_validate_refuses_impossible_triggers() -> None:
    with pytest.raises(ValueError, match="aware"):
        validate(Trigger("once", at=datetime(2026, 1, 1)))
    with pytest.raises(ValueError, match="weekday"):
        validate(Trigger("weekly", time=time(9)))
    with pytest.raises(ValueError, match="day 1-28"):
        validate(Trigger("monthly", time=time(9), day=30))

"""When a person may be messaged: quiet hours, working days and the daily digest time.

Times are local wall-clock times in the configured timezone (Europe/Amsterdam by default).
Days that are not working days are quiet all day.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo


def _clock(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def is_quiet(when: datetime, *, quiet: str, working_days: Sequence[int], tz: ZoneInfo) -> bool:
    local = when.astimezone(tz)
    if local.weekday() not in working_days:
        return True
    start_text, _, end_text = quiet.partition("-")
    start, end, now = _clock(start_text), _clock(end_text), local.time()
    if start == end:
        return False
    if start < end:
        return start <= now < end
    return now >= start or now < end


def _days(after: datetime, tz: ZoneInfo) -> Iterator[datetime]:
    local = after.astimezone(tz)
    for offset in range(9):
        day = local.date() + timedelta(days=offset)
        yield datetime.combine(day, time(0, 0), tzinfo=tz)


def next_open(after: datetime, *, quiet: str, working_days: Sequence[int], tz: ZoneInfo) -> datetime:
    """The first moment after ``after`` outside quiet hours (``after`` itself when open)."""
    if not is_quiet(after, quiet=quiet, working_days=working_days, tz=tz):
        return after
    end = _clock(quiet.partition("-")[2])
    candidates = []
    for midnight in _days(after, tz):
        for moment in (midnight, datetime.combine(midnight.date(), end, tzinfo=tz)):
            if moment > after and not is_quiet(moment, quiet=quiet, working_days=working_days, tz=tz):
                candidates.append(moment)
    if not candidates:
        raise ValueError("quiet hours and working days leave no moment to send in")
    return min(candidates)


def next_digest(after: datetime, *, at: str, working_days: Sequence[int], tz: ZoneInfo) -> datetime:
    """The next digest time on a working day, strictly after ``after``."""
    clock = _clock(at)
    for midnight in _days(after, tz):
        moment = datetime.combine(midnight.date(), clock, tzinfo=tz)
        if moment > after and moment.weekday() in working_days:
            return moment
    raise ValueError("no working day in the coming week")

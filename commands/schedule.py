"""What features ask of the scheduler: named job kinds with JSON payloads, on a trigger.

The rows are the truth (``scheduling/`` owns them); features never see APScheduler (only
``scheduling/`` imports it, tests/test_layers.py checks). Fire times of a ``Trigger`` come from
``commands.timespec`` (dateutil.rrule).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any, Literal, Protocol

DEFAULT_TIMEZONE = "Europe/Amsterdam"

JsonPayload = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Trigger:
    """When a schedule fires, in local wall-clock time of ``timezone`` (DST-safe).

    - ``once``: at ``at`` (timezone-aware).
    - ``daily`` / ``weekly`` / ``monthly``: at ``time`` every ``interval`` days / weeks
      (on ``weekday``, 0 = Monday) / months (on ``day`` of the month), from ``start``.
    """

    kind: Literal["once", "daily", "weekly", "monthly"]
    at: datetime | None = None
    time: time | None = None
    weekday: int | None = None
    day: int | None = None
    interval: int = 1
    timezone: str = DEFAULT_TIMEZONE
    start: datetime | None = None
    end: datetime | None = None


@dataclass(frozen=True, slots=True)
class ScheduleInfo:
    id: int
    kind: str
    trigger: Trigger
    payload: JsonPayload
    owner: str | None
    paused: bool
    next_run: datetime | None
    notify: str | None = None  # the person told about a missed slot (platform:id)


class SchedulerPort(Protocol):
    """Add and manage schedules; the engine runs ``router.job(kind)`` handlers at each slot."""

    async def add(
        self, kind: str, trigger: Trigger, payload: JsonPayload, *, owner: str | None = None,
        notify: str | None = None,
    ) -> int: ...

    async def cancel(self, schedule_id: int) -> bool: ...

    async def set_paused(self, schedule_id: int, paused: bool) -> bool: ...

    async def get(self, schedule_id: int) -> ScheduleInfo | None: ...

    async def list(self, *, kind_prefix: str = "", owner: str | None = None) -> list[ScheduleInfo]: ...

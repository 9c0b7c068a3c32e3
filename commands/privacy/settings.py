"""``[privacy]``: how long data is kept that no feature setting covers."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, field_validator


class PrivacySettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    inbound_events_days: int = 7  # platform event ids kept to ignore retries
    hook_events_days: int = 30  # work-system event ids and rejected payloads
    sent_ids_days: int = 30  # Teams activity ids of sent messages (crash reconciliation)
    acknowledgements_days: int = 365  # who acknowledged which announcement
    purge_time: str = "03:30"  # daily, Europe/Amsterdam

    @field_validator("inbound_events_days", "hook_events_days", "sent_ids_days",
                     "acknowledgements_days")
    @classmethod
    def _positive(cls, value: int) -> int:
        if value < 1:
            raise ValueError("must be at least 1 day")
        return value

    @field_validator("purge_time")
    @classmethod
    def _time(cls, value: str) -> str:
        if not re.match(r"^([01]\d|2[0-3]):[0-5]\d$", value):
            raise ValueError(f"{value!r} is not a time like 03:30")
        return value

"""``[privacy]``: how long data is kept that no feature setting covers."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator


class PrivacySettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    inbound_events_days: int = Field(default=7, ge=1)  # platform event ids kept to ignore retries
    hook_events_days: int = Field(default=30, ge=1)  # work-system event ids and rejected payloads
    # Teams activity ids of sent messages (crash reconciliation)
    sent_ids_days: int = Field(default=30, ge=1)
    acknowledgements_days: int = Field(default=365, ge=1)  # who acknowledged which announcement
    purge_time: str = "03:30"  # daily, Europe/Amsterdam

    @field_validator("purge_time")
    @classmethod
    def _time(cls, value: str) -> str:
        if not re.match(r"^([01]\d|2[0-3]):[0-5]\d$", value):
            raise ValueError(f"{value!r} is not a time like 03:30")
        return value

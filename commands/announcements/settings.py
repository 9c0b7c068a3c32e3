"""``[announcements]`` settings: approval, embargo lead, reminders and target defaults."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from commands.model import PLATFORMS
from commands.schedule import DEFAULT_TIMEZONE


class AnnouncementSettings(BaseModel):
    """Every key is documented in ``config.example.toml`` under ``[announcements]``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # Four-eyes approval for every announcement (audiences can also ask for it one by one).
    require_approval: bool = False
    # Where approval requests go ("local:#comms", "slack:C0123"); "" = a DM to every other
    # member of the comms role.
    approval_channel: str = ""
    # "Internal first": employees must have an announcement this many minutes before its embargo.
    embargo_lead_minutes: int = Field(default=15, ge=0)
    # Reminder DMs to people who have not acknowledged by the due date: at most one a day,
    # at most this many in total.
    max_reminders: int = Field(default=3, ge=0)
    # Workspace per platform for targets written without one (slack:C0123 -> this team).
    workspaces: dict[str, str] = {}
    timezone: str = DEFAULT_TIMEZONE
    max_targets: int = Field(default=200, ge=1)
    # Fan-outs of at least this many messages send the author progress updates.
    progress_threshold: int = Field(default=100, ge=1)
    # Minutes between delivery checks after a post (progress and the final report).
    report_delay_minutes: int = Field(default=2, ge=0)

    @field_validator("workspaces")
    @classmethod
    def _platforms(cls, value: dict[str, str]) -> dict[str, str]:
        for platform in value:
            if platform not in PLATFORMS:
                raise ValueError(f"{platform!r} is not a platform ({', '.join(PLATFORMS)})")
        return value

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (e.g. Europe/Amsterdam)") from None
        return value

    @field_validator("approval_channel")
    @classmethod
    def _channel(cls, value: str) -> str:
        if value and value.partition(":")[0] not in PLATFORMS:
            raise ValueError("write platform:channel, e.g. local:#comms or slack:C0123")
        return value

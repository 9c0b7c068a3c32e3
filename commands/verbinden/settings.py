"""``[verbinden]``: the repeat window (which is also how long pairing history is kept),
the follow-up delay, the largest group and the days on which no round is formed."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, field_validator


class VerbindenSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    # No pair meets twice within this many rounds (when the numbers allow it). Group rows
    # older than this are deleted after each round: the history is kept for nothing else.
    history_rounds: int = 6
    # Days after a round when each person is asked whether they met.
    followup_days: int = 3
    # Days (YYYY-MM-DD, Europe/Amsterdam) on which a scheduled round is skipped: holidays.
    skip_dates: list[date] = []
    # Introduce a group in one group conversation where all are on one platform that can
    # open one (Slack group DM, Matrix room). Off: a direct message to each member, naming
    # the others; that path goes through the outbox and its rate limits only.
    group_conversations: bool = False

    @field_validator("history_rounds")
    @classmethod
    def _window(cls, value: int) -> int:
        if not 1 <= value <= 52:
            raise ValueError("must be between 1 and 52 rounds")
        return value

    @field_validator("followup_days")
    @classmethod
    def _followup(cls, value: int) -> int:
        if not 1 <= value <= 30:
            raise ValueError("must be between 1 and 30 days")
        return value

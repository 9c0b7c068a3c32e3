"""``[verbinden]``: the repeat window (which is also how long pairing history is kept),
the follow-up delay, the largest group and the days on which no round is formed."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field


class VerbindenSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    # No pair meets twice within this many rounds (when the numbers allow it). Group rows
    # older than this are deleted after each round: the history is kept for nothing else.
    history_rounds: int = Field(default=6, ge=1, le=52)
    # Days after a round when each person is asked whether they met.
    followup_days: int = Field(default=3, ge=1, le=30)
    # Days (YYYY-MM-DD, Europe/Amsterdam) on which a scheduled round is skipped: holidays.
    skip_dates: list[date] = []
    # Introduce a group in one group conversation where all are on one platform that can
    # open one (Slack group DM, Matrix room). Off: a direct message to each member, naming
    # the others; that path goes through the outbox and its rate limits only.
    group_conversations: bool = False

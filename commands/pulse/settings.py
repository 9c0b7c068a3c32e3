"""``[pulse]``: anonymity thresholds, the master key, retention, reminders and approval.
The teams pulses go to are the organisation's: ``[org.teams]`` (commands/org/settings.py)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from commands.pulse.privacy import K_FLOOR


class PulseSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    # Smallest group whose results are shown; never below 3.
    k: int = Field(default=5, ge=K_FLOOR)
    # Smallest number of free-text answers that are shown (and then shuffled).
    k_text: int = 10
    # The master secret (hex or any string of 32+ characters). Set it through the
    # environment: HARTSLAG_PULSE_KEY. Per-round keys are derived from it.
    key: str = ""
    # Or a file holding the master secret, outside the database (created on first use).
    key_file: str = ""
    # Days after a round closes when its key is destroyed and voter keys are unlinked.
    key_days: int = Field(default=30, ge=1)
    # Results only after close (anonymous pulses never show live counts either way).
    results_hidden: bool = True
    # Default reminder: "all" (everyone in the audience, no ledger), "off".
    reminders: Literal["all", "off"] = "all"
    # Hours after opening when the reminder goes out (0 = no reminder).
    reminder_hours: int = Field(default=24, ge=0)
    # Allow pulses to remind only those who did not answer; needs a participation ledger
    # (keyed, deleted at close). Off by default: ask your works council first.
    allow_ledger: bool = False
    # How long a round stays open unless the pulse says otherwise.
    duration_hours: int = Field(default=72, ge=1)
    # At most this many questions in one pulse.
    max_questions: int = Field(default=5, ge=1)
    # Rounds shown in a summary's trend.
    trend_rounds: int = Field(default=6, ge=1)
    # Differencing across time: results of the same question shown within this many days of
    # each other must have audiences that differ by 0 or at least k people.
    difference_days: int = Field(default=365, ge=1)
    # Four-eyes approval (another comms member approves before a pulse is scheduled), as
    # [announcements] require_approval: for every pulse, for pulses to these teams, or for
    # audiences of at least this many people (0 = no size rule).
    require_approval: bool = False
    approval_teams: list[str] = []
    approval_min_people: int = Field(default=0, ge=0)

    @field_validator("key")
    @classmethod
    def _key_length(cls, value: str) -> str:
        if value and len(value) < 32:
            raise ValueError("use at least 32 characters (e.g. `openssl rand -hex 32`)")
        return value

    @model_validator(mode="after")
    def _text_threshold(self) -> PulseSettings:
        if self.k_text < self.k:
            raise ValueError("k_text: must be at least k")
        return self

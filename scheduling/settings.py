"""Settings of the scheduler (``[scheduler]``) and the delivery engine (``[delivery]``).

Rates are messages per second; 0 means "no limit" (the local chat). The defaults follow the
platforms' published limits with some headroom; see config.example.toml for each key.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SchedulerSettings(_Frozen):
    """``[scheduler]``: missed-slot window, leader lease."""

    missed_window_hours: float = Field(default=6.0, ge=0)
    missed_windows: dict[str, float] = {}  # per job kind, hours
    lease_seconds: float = Field(default=15.0, gt=0)
    refresh_seconds: float = Field(default=5.0, gt=0)
    max_attempts: int = Field(default=2, ge=1)  # runs interrupted by a crash are retried
    interrupted_after_seconds: float = Field(default=600.0, ge=0)
    run_retention_days: int = Field(default=90, ge=1)

    @model_validator(mode="after")
    def _refresh_below_lease(self) -> SchedulerSettings:
        if self.refresh_seconds >= self.lease_seconds:
            raise ValueError("refresh_seconds: must be below lease_seconds")
        for kind, hours in self.missed_windows.items():
            if hours < 0:
                raise ValueError(f"missed_windows.{kind}: must be 0 or more hours")
        return self

    def window(self, kind: str) -> timedelta:
        """How late a slot may still run (per kind, else the default)."""
        return timedelta(hours=self.missed_windows.get(kind, self.missed_window_hours))


class PlatformLimits(_Frozen):
    """Token buckets for one platform: per conversation and per workspace/tenant."""

    per_channel: float = Field(default=1.0, ge=0)
    channel_burst: int = Field(default=1, ge=1)
    per_workspace: float = Field(default=10.0, ge=0)
    workspace_burst: int = Field(default=10, ge=1)
    # Reconciliation lookups (Slack conversations.history: Tier 3, ~50/min) have their own
    # bucket per workspace, so looking up never spends the posting budget.
    lookups_per_second: float = Field(default=0.8, ge=0)
    lookup_burst: int = Field(default=3, ge=1)
    # What a 429 on a send blocks: "method" (Slack: that API method in the whole workspace),
    # "sender" (Matrix: every send of the bot account), "conversation" (Teams: that
    # conversation of that tenant).
    blocks: Literal["method", "sender", "conversation"] = "conversation"


DEFAULT_LIMITS: dict[str, PlatformLimits] = {
    # chat.postMessage: ~1/s per channel; the workspace cap is unpublished ("several hundred
    # per minute"): 5/s stays clear of it.
    "slack": PlatformLimits(per_channel=1.0, channel_burst=1, per_workspace=5.0,
                            workspace_burst=5, blocks="method"),
    # 50 requests/s per app per tenant; ~7/s per conversation (1,800/hour).
    "teams": PlatformLimits(per_channel=7.0, channel_burst=7, per_workspace=45.0,
                            workspace_burst=45),
    # Synapse's rc_message is per sender; exempt the bot account (admin API) and raise these.
    "matrix": PlatformLimits(per_channel=5.0, channel_burst=5, per_workspace=10.0,
                             workspace_burst=10, blocks="sender"),
    "local": PlatformLimits(per_channel=0.0, per_workspace=0.0, lookups_per_second=0.0),
}


class DeliverySettings(_Frozen):
    """``[delivery]``: retries, leases, rate limits, reconciliation."""

    max_attempts: int = Field(default=8, ge=1)
    backoff_initial_seconds: float = Field(default=2.0, gt=0)
    backoff_max_seconds: float = Field(default=600.0, gt=0)
    lease_seconds: float = Field(default=30.0, gt=0)
    poll_seconds: float = Field(default=1.0, gt=0)
    max_in_flight: int = Field(default=32, ge=1)
    # Platforms whose send is idempotent by delivery id (Matrix transaction id): a row left
    # ambiguous by a crash is resent with the same id when the port cannot look it up.
    idempotent_platforms: list[str] = ["matrix", "local"]
    limits: dict[str, PlatformLimits] = {}
    # Seconds a message may queue behind its own conversation's rate limit; beyond that it
    # is parked in the table so it does not hold a slot other conversations could use.
    queue_patience_seconds: float = Field(default=2.0, ge=0)
    # Fraction of each rate actually used, so timing jitter never exhausts a platform bucket.
    rate_headroom: float = Field(default=0.95, gt=0, le=1)
    progress_window_seconds: float = Field(default=60.0, gt=0)
    retention_days: int = Field(default=30, ge=1)
    # Failed lookups (the platform could not be asked) after which an ambiguous row is
    # settled as "uncertain": not resent, logged, and its batch's author told.
    max_lookups: int = Field(default=5, ge=1)
    # PostgreSQL: instances share each workspace budget through the delivery_budget table;
    # an instance reserves at most this many send slots per round trip (SQLite: one
    # process anyway).
    shared_budget: bool = True
    budget_grant_max: int = Field(default=16, ge=1)
    # How late after its shared slot a send may reach the platform with no second over the
    # workspace limit: the shared rate and burst are sized for it (scheduling.buckets.
    # shared_budget), and a send that cannot start within 40% of it gets a new slot.
    budget_tolerance_seconds: float = Field(default=0.1, gt=0, le=0.5)

    def limits_for(self, platform: str) -> PlatformLimits:
        return self.limits.get(platform) or DEFAULT_LIMITS.get(platform) or PlatformLimits()

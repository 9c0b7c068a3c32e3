"""Retry delays: exponential with jitter, never shorter than the platform's Retry-After.

Two lines of arithmetic, written out: tenacity drives the Teams adapter's retries as a
retry loop (bots/teams/retry.py), but the outbox keeps its own attempt count in the
database and needs only the number, which tenacity cannot give without a faked call state.
"""

from __future__ import annotations

import random


def backoff_seconds(
    attempt: int, *, initial: float, maximum: float, retry_after: float | None = None
) -> float:
    """Delay before attempt ``attempt + 1`` (``attempt`` >= 1 is the one that failed):
    ``initial * 2**(attempt-1)`` plus up to ``initial`` of jitter, at most ``maximum``."""
    exponent = min(max(1, attempt) - 1, 60)  # 2**60 already exceeds any maximum
    wait = min(maximum, initial * 2 ** exponent + random.uniform(0, initial))
    return max(wait, retry_after or 0.0)

"""Retry delays: exponential with jitter (tenacity's ``wait_exponential_jitter``), never
shorter than the platform's Retry-After."""

from __future__ import annotations

from tenacity import RetryCallState, wait_exponential_jitter


def backoff_seconds(
    attempt: int, *, initial: float, maximum: float, retry_after: float | None = None
) -> float:
    """Delay before attempt ``attempt + 1`` (``attempt`` >= 1 is the one that failed)."""
    state = RetryCallState(retry_object=None, fn=None, args=(), kwargs={})  # type: ignore[arg-type]
    state.attempt_number = max(1, attempt)
    wait = wait_exponential_jitter(multiplier=initial, max=maximum, jitter=initial)(state)
    return max(float(wait), retry_after or 0.0)

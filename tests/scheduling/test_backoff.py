"""The outbox's retry delays: exponential, jittered, capped, and never below Retry-After."""

from __future__ import annotations

import random

from scheduling.backoff import backoff_seconds


def test_delays_double_with_jitter_up_to_the_cap() -> None:
    random.seed(7)
    for attempt in range(1, 12):
        wait = backoff_seconds(attempt, initial=1.0, maximum=300.0)
        base = min(300.0, 2.0 ** (attempt - 1))
        assert base <= wait <= min(300.0, base + 1.0), (attempt, wait)
    assert backoff_seconds(10_000, initial=1.0, maximum=300.0) == 300.0


def test_retry_after_wins_when_longer() -> None:
    assert backoff_seconds(1, initial=1.0, maximum=300.0, retry_after=42.0) == 42.0
    assert backoff_seconds(9, initial=1.0, maximum=30.0, retry_after=2.0) == 30.0


def test_jitter_spreads_retries_of_the_same_attempt() -> None:
    waits = {backoff_seconds(3, initial=1.0, maximum=300.0) for _ in range(50)}
    assert len(waits) > 40 and all(4.0 <= w <= 5.0 for w in waits)

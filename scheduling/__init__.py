"""The shared scheduler (``scheduling.engine.Scheduler``) and the delivery engine
(``scheduling.outbox.Outbox``). Never imports ``bots``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

# Runs one job (kind, payload): the app's ``run_job``, which both engines are given, the
# scheduler for due schedules and the outbox for ``on_sent`` callbacks.
Runner = Callable[[str, Mapping[str, Any]], Awaitable[None]]

"""The ack gate: work on an event starts only after Slack's acknowledgement has left.

Why: Slack retries an event (``X-Slack-Retry-Num``) only when it got no acknowledgement. If
the durable claim on the event id were written before the ack and the process died in
between, the retry would find the claim and the event would be lost. So the order is

    ack sent  ->  claim event id (EventLedger)  ->  work  ->  (release the claim on failure)

- process dies before the ack left: nothing claimed, Slack's retry is processed (once);
- ack left but Slack retries anyway (slow network): the claim exists, the retry is skipped;
- a retry racing the first delivery: whichever claims first does the work, the other skips.

The HTTP route opens the gate in a Starlette background task (runs after the response was
written); the Socket Mode handler opens it after sending the ack envelope. The gate travels
to bolt's listener task in a context variable (asyncio copies the context into new tasks).
"""

from __future__ import annotations

import asyncio
import contextlib
from contextvars import ContextVar


class AckGate:
    """Opened once the acknowledgement for one inbound request was sent."""

    def __init__(self) -> None:
        self._sent = asyncio.Event()

    def open(self) -> None:
        self._sent.set()

    async def wait(self, within: float) -> bool:
        """True when the ack left within ``within`` seconds."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._sent.wait(), within)
        return self._sent.is_set()


CURRENT_GATE: ContextVar[AckGate | None] = ContextVar("hartslag_slack_ack_gate", default=None)

"""The lifecycle side of a platform adapter (the outbound side is ``ChatPort``).

An adapter turns platform events into neutral requests, hands them to the ``Sink`` (the app:
context building + router), and delivers the ``Reply`` natively (ephemeral, DM, in place).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from starlette.requests import Request as HttpRequest
from starlette.responses import Response
from starlette.routing import BaseRoute

from commands.clock import Clock
from commands.metrics import Metrics
from commands.model import Reply, Request
from commands.port import ChatPort
from storage.store import Store

Sink = Callable[[Request], Awaitable[Reply | None]]
# In an HTTP worker process: hand a request (and its body, already read) to the primary.
Forward = Callable[[HttpRequest, bytes], Awaitable[Response]]


class Adapter(Protocol):
    platform: str

    @property
    def port(self) -> ChatPort:
        """Outbound messages for this platform."""
        ...

    def routes(self) -> Sequence[BaseRoute]:
        """HTTP routes to mount on the shared server (``/slack/events``, ``/api/messages``)."""
        ...

    async def start(self, sink: Sink) -> None:
        """Connect and begin handing inbound requests to ``sink``; return once running."""
        ...

    async def stop(self) -> None: ...

    def health(self) -> str | None:
        """None when healthy, otherwise a short reason for /healthz."""
        ...


@dataclass(frozen=True)
class AdapterDeps:
    """What the composition root hands every adapter factory ``build_adapter(settings, deps)``."""

    store: Store
    clock: Clock
    metrics: Metrics
    server_host: str = "127.0.0.1"
    default_locale: str = "nl"
    # Set only in an HTTP worker process (``bots.workers``): requests this process must not
    # handle itself go to the primary; ``handles_here(action)`` says which presses stay.
    forward: Forward | None = None
    handles_here: Callable[[str], bool] | None = None

    def forwards(self, action: str | None) -> bool:
        """True when this process must pass a request with this action to the primary."""
        if self.forward is None:
            return False
        return action is None or self.handles_here is None or not self.handles_here(action)

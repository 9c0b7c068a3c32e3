"""Fake platform ports for the outbox tests.

``ScriptedPort`` fails on purpose per target (refused, rate limited, or a timeout whose
outcome is unknown) and can act as a platform with or without a delivery lookup.
``BudgetPort`` is a platform that enforces the published budgets with token buckets (per
conversation and per workspace/tenant) and answers 429 with Retry-After when they are
exceeded, like Slack, Teams or Synapse.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from commands.model import Address, MessageRef, OutgoingMessage, UserRef
from commands.port import Capabilities, DeliveryError


@dataclass
class Post:
    target: str
    delivery_id: str | None
    ref: MessageRef


def _address(target: Address | UserRef) -> Address:
    if isinstance(target, Address):
        return target
    return Address(target.platform, target.workspace or "w", f"@{target.id}")


def _key(target: Address | UserRef) -> str:
    return str(target) if isinstance(target, Address) else target.key


@dataclass
class ScriptedPort:
    """``script[target]`` is a list of outcomes for successive attempts: an exception to
    raise, ``"post-then-timeout"`` (the platform posts, the caller sees a timeout), or
    ``None`` (success). ``idempotent``: resends with a known delivery id return the first
    post (Matrix). It offers ``find_delivery`` (Slack metadata, Teams activity id);
    ``PortWithoutLookup`` does not."""

    idempotent: bool = False
    script: dict[str, list[object]] = field(default_factory=dict)
    posts: list[Post] = field(default_factory=list)
    calls: int = 0

    def capabilities(self, platform: str) -> Capabilities:
        return Capabilities()

    async def send(self, address: Address, message: OutgoingMessage, *,
                   delivery_id: str | None = None) -> MessageRef:
        return self._attempt(address, delivery_id)

    async def send_direct(self, user: UserRef, message: OutgoingMessage, *,
                          delivery_id: str | None = None) -> MessageRef:
        return self._attempt(user, delivery_id)

    async def update(self, ref: MessageRef, message: OutgoingMessage) -> None:
        return None

    async def members(self, address: Address) -> Sequence[UserRef] | None:
        return None

    def _attempt(self, target: Address | UserRef, delivery_id: str | None) -> MessageRef:
        self.calls += 1
        plan = self.script.get(_key(target))
        outcome = plan.pop(0) if plan else None
        if isinstance(outcome, BaseException):
            raise outcome
        ref = self._post(target, delivery_id)
        if outcome == "post-then-timeout":
            raise TimeoutError("read timeout")
        return ref

    def _post(self, target: Address | UserRef, delivery_id: str | None) -> MessageRef:
        if self.idempotent and delivery_id:
            for post in self.posts:
                if post.delivery_id == delivery_id:
                    return post.ref
        ref = MessageRef(_address(target), f"m{len(self.posts) + 1}")
        self.posts.append(Post(_key(target), delivery_id, ref))
        return ref

    def per_target(self) -> Counter[str]:
        return Counter(post.target for post in self.posts)

    async def find_delivery(self, target: Address | UserRef, delivery_id: str
                            ) -> MessageRef | None:
        return next((p.ref for p in self.posts if p.delivery_id == delivery_id), None)


class PortWithoutLookup(ScriptedPort):
    """Same, but the attribute does not exist at all (the outbox checks with getattr)."""

    find_delivery = None  # type: ignore[assignment]


class _Bucket:
    def __init__(self, rate: float, burst: int) -> None:
        self.rate, self.burst = rate, float(burst)
        self.tokens, self.updated = float(burst), time.monotonic()

    def take(self) -> float:
        """0 when a token was taken, else the seconds until one is free."""
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate


@dataclass
class BudgetPort:
    """A platform enforcing per-conversation and per-workspace budgets; 429 above them."""

    per_channel: float
    channel_burst: int
    per_workspace: float
    workspace_burst: int
    posts: list[Post] = field(default_factory=list)
    rejected: int = 0
    _buckets: dict[tuple[str, str], _Bucket] = field(default_factory=dict)

    def capabilities(self, platform: str) -> Capabilities:
        return Capabilities()

    def _bucket(self, level: str, key: str) -> _Bucket:
        if (level, key) not in self._buckets:
            rate, burst = ((self.per_channel, self.channel_burst) if level == "c"
                           else (self.per_workspace, self.workspace_burst))
            self._buckets[(level, key)] = _Bucket(rate, burst)
        return self._buckets[(level, key)]

    async def send(self, address: Address, message: OutgoingMessage, *,
                   delivery_id: str | None = None) -> MessageRef:
        return self._admit(address, str(address.without_thread()), delivery_id)

    async def send_direct(self, user: UserRef, message: OutgoingMessage, *,
                          delivery_id: str | None = None) -> MessageRef:
        return self._admit(user, f"dm:{user.id}", delivery_id)

    def _admit(self, target: Address | UserRef, channel: str, delivery_id: str | None
               ) -> MessageRef:
        workspace = target.workspace
        wait = self._bucket("w", workspace).take()
        if wait == 0:
            wait = self._bucket("c", channel).take()
            if wait:
                self._bucket("w", workspace).tokens += 1  # not spent: the request was refused
        if wait:
            self.rejected += 1
            raise DeliveryError("rate_limited", retry_after=round(wait, 3) + 0.01)
        ref = MessageRef(_address(target), f"m{len(self.posts) + 1}")
        self.posts.append(Post(_key(target), delivery_id, ref))
        return ref

    async def update(self, ref: MessageRef, message: OutgoingMessage) -> None:
        return None

    async def members(self, address: Address) -> Sequence[UserRef] | None:
        return None

    def per_target(self) -> Counter[str]:
        return Counter(post.target for post in self.posts)

"""The context every handler gets: the services of the process plus who asks and in which
language. Built per request by the composition root; no globals, no singletons."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Protocol, TypeVar

from commands.clock import Clock
from commands.delivery import DeliveryPort
from commands.errors import Refused
from commands.i18n import DEFAULT_LOCALE, Catalog
from commands.messages import CORE
from commands.metrics import Metrics
from commands.model import Address, UserRef
from commands.port import ChatPort
from commands.schedule import SchedulerPort
from commands.settings import SettingsBag

R = TypeVar("R")


class StorePort(Protocol):
    """Repositories by class: ``ctx.store.repo(SignalRepository)``."""

    def repo(self, cls: type[R]) -> R: ...


class StatePort(Protocol):
    """Per-process state by class, apart from the repositories: ``ctx.state(PulseRuntime)``."""

    def get(self, cls: type[R]) -> R: ...


class RolesPort(Protocol):
    async def has(self, user: UserRef, role: str, *, team: str | None = None) -> bool: ...

    async def of(self, user: UserRef) -> set[str]: ...

    def config_grants(self) -> list[tuple[str, str, str | None]]:
        """(role, person, team) from the config: they cannot be revoked by command."""
        ...

    async def holders(self, role: str) -> set[str]:
        """The keys of everyone who holds ``role`` (config and chat grants)."""
        ...


class LocalePort(Protocol):
    async def resolve(
        self, user: UserRef | None, address: Address | None, hint: str | None = None
    ) -> str: ...


@dataclass(frozen=True)
class Services:
    """Long-lived collaborators, one set per process."""

    port: ChatPort
    store: StorePort
    scheduler: SchedulerPort
    delivery: DeliveryPort
    clock: Clock
    settings: SettingsBag
    roles: RolesPort
    metrics: Metrics
    locales: LocalePort
    state: StatePort


@dataclass(frozen=True)
class Context:
    """Per-request view on the services. ``user``/``address`` are None in scheduled jobs."""

    services: Services
    locale: str = DEFAULT_LOCALE
    user: UserRef | None = None
    address: Address | None = None

    @property
    def port(self) -> ChatPort:
        return self.services.port

    @property
    def store(self) -> StorePort:
        return self.services.store

    @property
    def scheduler(self) -> SchedulerPort:
        return self.services.scheduler

    @property
    def delivery(self) -> DeliveryPort:
        return self.services.delivery

    @property
    def clock(self) -> Clock:
        return self.services.clock

    @property
    def settings(self) -> SettingsBag:
        return self.services.settings

    @property
    def roles(self) -> RolesPort:
        return self.services.roles

    def state(self, cls: type[R]) -> R:
        """This process's state object of ``cls`` (a cache, loaded keys; never a repository)."""
        return self.services.state.get(cls)

    def text(self, catalog: Catalog, key: str, /, **values: object) -> str:
        return catalog.get(self.locale, key, **values)

    async def locale_for(self, *, user: UserRef | None = None, address: Address | None = None) -> str:
        """The language of another person or channel (a DM to them, a post there)."""
        return await self.services.locales.resolve(user, address)

    def with_locale(self, locale: str) -> Context:
        return replace(self, locale=locale)

    async def require(self, role: str, *, team: str | None = None) -> UserRef:
        """Return the caller when they hold ``role`` (for ``team``); raise Refused otherwise."""
        if self.user is None or not await self.roles.has(self.user, role, team=team):
            name = CORE.get(self.locale, f"role.{role}") if CORE.has(f"role.{role}") else role
            raise Refused(CORE.get(self.locale, "refused", role=name))
        return self.user

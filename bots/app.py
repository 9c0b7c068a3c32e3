"""The composition root: builds storage, router, scheduler, outbox, adapters and the server
from the config, explicitly. The features come from their manifests (``commands/features.py``,
``commands/feature.py``): nothing here names one."""

from __future__ import annotations

import importlib
import logging
import socket
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import text

from bots.adapter import Adapter, AdapterDeps
from bots.config import Config, ConfigError
from bots.lag import LagMonitor
from bots.server import HttpServer, build_http_app
from bots.workers import (
    Forwarder,
    WorkerEnv,
    WorkerPool,
    forward_route,
    listening_sockets,
    prepare_metrics,
    worker_argv,
    worker_config,
)
from commands.clock import Clock, SystemClock
from commands.context import Context, Services
from commands.feature import Feature, Inbound, Register
from commands.features import FEATURES
from commands.locale import LocaleResolver
from commands.logsafe import error_fields
from commands.metrics import Metrics
from commands.model import Reply, Request, UserRef
from commands.port import Capabilities, MultiPort
from commands.roles import Roles
from commands.router import Router
from scheduling.engine import Scheduler
from scheduling.missed import OwnerNotifier
from scheduling.outbox import Outbox
from storage.db import Database
from storage.migrate import ensure_current
from storage.preferences import PreferenceRepository
from storage.roles import RoleRepository
from storage.store import ProcessState, Store

log = logging.getLogger("hartslag.app")
SYSTEM = "system"  # owner of standing schedules

__all__ = ["FEATURES", "App", "as_features", "build_adapters", "open_core"]


def as_features(features: Sequence[Feature | Register]) -> tuple[Feature, ...]:
    """Manifests as they are; a bare ``register(router)`` (a test's extra handlers) becomes a
    feature that brings only what it registers."""
    return tuple(f if isinstance(f, Feature) else Feature(f"extra_{i}", register=f)
                 for i, f in enumerate(features))


def _entry(name: str) -> Callable[..., Any]:
    """``"module:function"`` of a manifest (bots/ code commands/ may only name)."""
    module, _, function = name.partition(":")
    found: Callable[..., Any] = getattr(importlib.import_module(module), function)
    return found


def build_adapters(config: Config, deps: AdapterDeps) -> list[Adapter]:
    """The enabled platform adapters. Imports are local: a disabled platform's SDK is never
    imported, which keeps start-up fast and memory small."""
    adapters: list[Adapter] = []
    if config.local.enabled:
        from bots.local import build_adapter as local

        adapters.append(local(config.local, deps))
    if config.slack.enabled:
        from bots.slack import build_adapter as slack

        adapters.append(slack(config.slack, deps))
    if config.teams.enabled:
        from bots.teams import build_adapter as teams

        adapters.append(teams(config.teams, deps))
    if config.matrix.enabled:
        from bots.matrix import build_adapter as matrix

        adapters.append(matrix(config.matrix, deps))
    return adapters


def configured_capabilities(config: Config) -> dict[str, Capabilities]:
    """What each enabled platform can show, without its SDK (``bots/<p>/capabilities.py``)."""
    found: dict[str, Capabilities] = {}
    for platform in ("local", "slack", "teams", "matrix"):
        if getattr(config, platform).enabled:
            module = importlib.import_module(f"bots.{platform}.capabilities")
            found[platform] = module.CAPABILITIES
    return found


def _workspace_locales(config: Config) -> dict[str, str]:
    found: dict[str, str] = {}
    for platform in ("local", "slack", "teams", "matrix"):
        section = getattr(config, platform)
        if getattr(section, "default_locale", ""):
            found[platform] = section.default_locale
    for workspace, locale in config.slack.workspace_locales.items():
        found[f"slack:{workspace}"] = locale
    return found


class App:
    """One process: storage, router, scheduler, outbox, adapters and the HTTP server."""

    def __init__(
        self,
        config: Config,
        *,
        clock: Clock | None = None,
        adapters: Sequence[Adapter] | None = None,
        features: Sequence[Feature | Register] = FEATURES,
        worker: WorkerEnv | None = None,
        worker_command: Sequence[str] | None = None,
    ) -> None:
        """``worker``: this process is an HTTP worker of a primary (``bots.workers``).
        ``worker_command``: how the primary starts its workers (default: the same config)."""
        self.worker = worker
        if worker is not None:
            config = worker_config(config)
        self.config = config
        self.clock = clock or SystemClock()
        self._metrics_dir = None if worker else prepare_metrics(config.server.workers)
        self._worker_command = list(worker_command or worker_argv(None))
        self.metrics = Metrics()
        self.db = Database(config.storage.url)
        self.store = Store(self.db)
        self.features = as_features(features)
        self.router = Router()
        for feature in self.features:  # the list's order is the order of `help`
            feature.register(self.router)
        self.port = MultiPort({})
        self.outbox = Outbox(self.db, self.port, clock=self.clock, metrics=self.metrics,
                             runner=self.run_job, settings=config.delivery)
        # A slot missed beyond its window is told to the schedule's owner, never dropped.
        self.scheduler = Scheduler(self.db, clock=self.clock, runner=self.run_job,
                                   metrics=self.metrics, settings=config.scheduler,
                                   on_missed=OwnerNotifier(self.outbox))
        self.locales = LocaleResolver(self.store.repo(PreferenceRepository),
                                      default=config.locale.default,
                                      workspaces=_workspace_locales(config))
        roles = Roles(self.store.repo(RoleRepository), managers=config.roles.managers,
                      config={"admin": config.roles.admin, "comms": config.roles.comms,
                              "triage": config.roles.triage})
        self.services = Services(
            port=self.port, store=self.store, scheduler=self.scheduler, delivery=self.outbox,
            clock=self.clock, settings=config.settings_bag(), roles=roles,
            metrics=self.metrics, locales=self.locales, state=ProcessState(self.store.db),
        )
        self._forwarder = Forwarder(worker.primary_port) if worker else None
        deps = AdapterDeps(store=self.store, clock=self.clock, metrics=self.metrics,
                           server_host=config.server.host, default_locale=config.locale.default,
                           forward=self._forwarder.forward if self._forwarder else None,
                           handles_here=self.router.is_stateless)
        self.adapters = list(adapters) if adapters is not None else build_adapters(config, deps)
        for adapter in self.adapters:
            self.port.add(adapter.platform, adapter.port)
        self._lag = LagMonitor(self.metrics)
        self._failed: dict[str, str] = {}
        self.server: HttpServer | None = None
        self.workers: WorkerPool | None = None
        self._public: socket.socket | None = None

    # -- requests and jobs ----------------------------------------------------------------
    async def handle(self, request: Request) -> Reply | None:
        """The sink every adapter calls: resolve the language, build the context, dispatch."""
        locale = await self.locales.resolve(request.user, request.address, request.locale)
        ctx = Context(self.services, locale=locale, user=request.user, address=request.address)
        return await self.router.dispatch(request, ctx)

    async def run_job(self, kind: str, payload: Mapping[str, Any]) -> None:
        await self.router.run_job(kind, payload, self.context())

    def _inbound(self) -> tuple[Feature, Inbound] | None:
        """The feature taking work-system events over HTTP (``Feature.inbound``)."""
        for feature in self.features:
            if feature.inbound is not None:
                return feature, feature.inbound
        return None

    async def receive_hook(self, source: str, payload: dict[str, Any]) -> Any:
        """A verified work-system event; the error boundary of /hooks/<source>."""
        found = self._inbound()
        if found is None:
            raise LookupError("no feature takes work-system events")
        inbound = found[1]
        try:
            return await inbound.receive(self.context(), source, payload)
        except Exception as exc:  # a work-system event: its payload may name people
            self.metrics.errors.labels("hooks").inc()
            log.error("hook failed", extra={"source": source, **error_fields(exc)})
            return inbound.failed()

    def context(self, *, user: UserRef | None = None, locale: str | None = None) -> Context:
        return Context(self.services, locale=locale or self.config.locale.default, user=user)

    # -- lifecycle ------------------------------------------------------------------------
    async def open_storage(self) -> None:
        """Migrate an empty database; refuse an older schema (SchemaError)."""
        await ensure_current(self.db)

    async def start(self, *, serve_http: bool = True, run_adapters: bool = True,
                    scheduler_timer: bool = True) -> None:
        """``scheduler_timer`` False: no timer and no lease race; the caller runs slots with
        ``scheduler.run_due()`` under ``scheduler.hold_lease()`` (the local chat)."""
        await self.open_storage()
        if self.worker is None:  # one scheduler and one outbox dispatcher: the primary's
            if scheduler_timer:
                await self.scheduler.start()
            await self._ensure_standing()
            await self.outbox.start()
        self._lag.start()
        if run_adapters:
            for adapter in self.adapters:
                await self._start_adapter(adapter)
        if serve_http:
            await self._warm()
            await self._serve()

    async def _warm(self) -> None:
        """Each feature's warm-up before the first request (``Feature.warm``). One that
        fails is logged and the process serves anyway: its caches load on first use."""
        for feature in self.features:
            if feature.warm is None:
                continue
            try:
                await feature.warm(self.context())
            except Exception as exc:
                log.warning("warm-up failed", extra={"feature": feature.name,
                                                     **error_fields(exc)})

    async def _serve(self) -> None:
        routes = [route for adapter in self.adapters for route in adapter.routes()]
        server = self.config.server
        if self._forwarder is not None:  # a worker: what it does not handle goes on
            assert self.worker is not None
            http = build_http_app(health=None, metrics=self.metrics,
                                  routes=[*routes, forward_route(self._forwarder)])
            public = socket.socket(fileno=self.worker.fd)
            self.server = HttpServer(http, host=server.host, port=server.port, sockets=[public])
            await self.server.start()
            return
        routes += self._inbound_routes()
        http = build_http_app(health=self.health, metrics=self.metrics, routes=routes,
                              degraded=self._degraded)
        sockets = listening_sockets(server.host, server.port, private=True) \
            if server.workers else None
        # With workers the primary accepts only what they pass on (its private socket): the
        # burst goes to the workers, and the scheduler, outbox and chat syncs keep a core.
        self.server = HttpServer(http, host=server.host, port=server.port,
                                 sockets=sockets[1:] if sockets else None)
        await self.server.start()
        if sockets:
            self._public = sockets[0]
            await self._start_workers(sockets)

    def _inbound_routes(self) -> list[Any]:
        found = self._inbound()
        if found is None:
            return []
        feature, inbound = found
        assert feature.settings is not None  # Feature checks it
        section = self.services.settings.get(feature.settings)
        routes: list[Any] = _entry(inbound.routes)(section, self.receive_hook)
        return routes

    def _degraded(self) -> list[str]:
        """What /healthz reports as degraded, from every feature that can be."""
        settings = self.services.settings
        problems: list[str] = []
        for feature in self.features:
            if feature.inbound is not None and feature.settings is not None:
                problems += _entry(feature.inbound.problems)(settings.get(feature.settings))
            if feature.problems is not None:
                problems += feature.problems(settings)
        return problems

    @property
    def public_port(self) -> int | None:
        """The port people and platforms reach (with workers: the one they accept on)."""
        if self._public is not None:
            return int(self._public.getsockname()[1])
        return self.server.port if self.server else None

    async def _start_workers(self, sockets: Sequence[socket.socket]) -> None:
        # What the processes must share must exist before the second one starts (the pulse
        # master key: a key_file is created on first use; two processes would race).
        for feature in self.features:
            if feature.before_sharing is not None:
                await feature.before_sharing(self.context())
        self.workers = WorkerPool(self.config.server.workers, argv=self._worker_command,
                                  public=sockets[0],
                                  primary_port=int(sockets[1].getsockname()[1]),
                                  metrics_dir=self._metrics_dir)
        await self.workers.start()

    async def _start_adapter(self, adapter: Adapter) -> None:
        """One platform that cannot start (a homeserver down) must not take the others
        down: it is logged and reported by /healthz until the process is restarted."""
        try:
            await adapter.start(self.handle)
        except Exception as exc:
            # /healthz is reachable by whoever reaches the port: a ConfigError's own words (we
            # wrote them, for the operator), else the type only; the log has where it was raised.
            told = f": {exc}" if isinstance(exc, ConfigError) else ""
            self._failed[adapter.platform] = f"failed to start ({type(exc).__name__}{told})"[:300]
            log.error("adapter failed to start",
                      extra={"platform": adapter.platform, **error_fields(exc)})
        else:
            log.info("adapter started", extra={"platform": adapter.platform})

    async def _ensure_standing(self) -> None:
        """Create the standing schedules features declared (``router.job(standing=...)``)."""
        # Any schedule of the kind counts (a feature may have created it itself earlier).
        existing = {info.kind for info in await self.scheduler.list()}
        for kind, trigger in self.router.standing(self.services.settings).items():
            if kind not in existing:
                await self.scheduler.add(kind, trigger, {}, owner=SYSTEM)

    async def stop(self) -> None:
        if self.workers is not None:
            await self.workers.stop()
        if self.server is not None:
            await self.server.stop()
        if self._forwarder is not None:
            await self._forwarder.close()
        for adapter in reversed(self.adapters):
            try:
                await adapter.stop()
            except Exception as exc:
                log.error("adapter stop failed",
                          extra={"platform": adapter.platform, **error_fields(exc)})
        await self.outbox.stop()
        await self.scheduler.stop()
        await self._lag.stop()
        await self.db.dispose()

    async def health(self) -> list[str]:
        problems: list[str] = []
        try:
            async with self.db.session(readonly=True) as session:
                await session.exec(text("SELECT 1"))  # type: ignore[call-overload]
        except Exception as exc:
            problems.append(f"storage: {type(exc).__name__}")
        for adapter in self.adapters:
            reason = self._failed.get(adapter.platform) or adapter.health()
            if reason:
                problems.append(f"{adapter.platform}: {reason}")
        if self.workers is not None:
            problems += self.workers.health()
        return problems


@asynccontextmanager
async def open_core(config: Config, *, clock: Clock | None = None) -> AsyncIterator[App]:
    """The app without chat adapters or HTTP, for CLI commands (import, export, send)."""
    app = App(config, clock=clock, adapters=[])
    for platform, capabilities in configured_capabilities(config).items():
        app.port.declare(platform, capabilities)
    await app.open_storage()
    try:
        yield app
    finally:
        await app.db.dispose()

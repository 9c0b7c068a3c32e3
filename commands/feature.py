"""The feature manifest: everything a feature brings, declared in one place.

A feature package (``commands/<feature>/manifest.py``) fills in one ``Feature``; the list in
``commands/features.py`` is the only place the features are named. The composition root
registers their handlers and standing schedules, the config gets their sections, the schema
their tables, the privacy report their data kinds and the ``hartslag`` command their CLI,
all by iterating that list (docs/developer/architecture.md, "Adding a feature").

This module holds values only: it imports nothing of storage or the handlers, so a manifest
stays cheap to import (``storage/schema.py`` imports every manifest for its tables).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel
from sqlmodel import SQLModel

from commands.settings import SettingsBag

if TYPE_CHECKING:
    from commands.context import Context
    from commands.router import Router

Register = Callable[["Router"], None]
NAME = re.compile(r"^[a-z][a-z0-9_]{0,30}$")
PEOPLE = ("none", "staff", "identifying", "keyed hash", "sealed")


@dataclass(frozen=True)
class DataKind:
    """One line of the privacy inventory (``hartslag privacy report``)."""

    kind: str
    tables: tuple[str, ...]
    holds: str
    people: str  # one of PEOPLE: "staff" = who did their job; "sealed" = encrypted elsewhere
    retention: str  # a setting ("delivery.retention_days") or a rule in words


@dataclass(frozen=True)
class Inbound:
    """Events a feature takes over HTTP (work systems posting to ``/hooks/<source>``).

    The endpoint lives in bots/ (it speaks HTTP), which commands/ never imports, so it is
    named as ``"module:function"``: ``routes(section, receive)`` returns the routes and
    ``problems(section)`` what makes /healthz say degraded, both given the feature's
    settings section. The app wraps ``receive`` in its error boundary and answers
    ``failed()`` when it raises (the source retries later).
    """

    routes: str
    problems: str
    receive: Callable[[Context, str, dict[str, Any]], Awaitable[Any]]
    failed: Callable[[], Any]


@dataclass(frozen=True)
class Feature:
    """What one feature brings. Only ``name`` and ``register`` are required.

    ``register`` wires what the feature answers on the router: its declared command trees,
    interactions, forms, conversations and job kinds, standing schedules included
    (``router.job(kind, handler, standing=...)``). It imports its handlers when called, so
    importing a manifest stays cheap.
    """

    name: str
    register: Register
    # The ``[section]`` of the config file and its frozen model (``ctx.settings.get(Model)``).
    settings: type[BaseModel] | None = None
    section: str = ""  # default: ``name``
    # Rewrites an older layout of the config file (a section that moved) before it is read;
    # a ValueError is shown to the operator as it is, in one line naming the key.
    upgrade_config: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    # The SQLModel table classes it owns, and the Alembic branch label that creates them;
    # the branch's files sit in storage/migrations/versions/<branch>/, found through the
    # manifests (``python -m storage.revision 00NN_<branch> "..."`` writes the first there).
    tables: tuple[type[SQLModel], ...] = ()
    migrations: str = ""
    privacy: tuple[DataKind, ...] = ()
    # Modules with ``add_parser(subparsers)`` for ``hartslag <subcommand>``. Named, not
    # imported: they live in bots/ (they need the config and the app), which commands/
    # never imports; bots/cli.py imports them.
    cli: tuple[str, ...] = ()
    inbound: Inbound | None = None
    # The optional port extras (protocols of commands/port.py) it uses where the platform
    # has them; documentation for adapter authors, checked against the port by tests.
    ports: tuple[type, ...] = ()
    # What /healthz reports as degraded for this feature (a model that failed to load).
    problems: Callable[[SettingsBag], list[str]] | None = None
    # What must hold when several processes share the work (``server.workers``): a problem
    # in one line naming the key, or None.
    shared_check: Callable[[SettingsBag], str | None] | None = None
    # Run once in the primary before other processes start (a secret they must all derive
    # the same keys from must exist first).
    before_sharing: Callable[[Context], Awaitable[None]] | None = None
    # Run in every process that serves requests, before it serves them: what the first
    # requests after a start would otherwise all wait for at once (the pulse vote's
    # organisation tree and open rounds).
    warm: Callable[[Context], Awaitable[None]] | None = None

    def __post_init__(self) -> None:
        if not NAME.match(self.name):
            raise ValueError(f"feature name {self.name!r}: lower case letters, digits, _")
        if (self.section or self.inbound) and self.settings is None:
            raise ValueError(f"feature {self.name}: a section or inbound events need a "
                             "settings model")
        for kind in self.privacy:
            if kind.people not in PEOPLE:
                raise ValueError(f"feature {self.name}: {kind.kind}: people must be one of "
                                 f"{', '.join(PEOPLE)}")

    @property
    def section_name(self) -> str:
        """The config section, or "" when the feature has no settings."""
        return (self.section or self.name) if self.settings is not None else ""

    @property
    def table_names(self) -> tuple[str, ...]:
        return tuple(str(getattr(table, "__tablename__", "")) for table in self.tables)

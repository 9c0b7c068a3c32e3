"""The organisation as the features read it: a cached ``TeamTree`` from storage, with the
``[pulse.teams]`` of the config synced in once per process."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime

from commands.org.tree import Team, TeamTree
from commands.pulse.settings import PulseSettings
from storage.db import Database
from storage.org import OrgRepository, TeamSpec

CACHE_SECONDS = 30.0  # other instances' changes show up within this time


class OrgDirectory:
    """One per process (``ctx.store.repo(OrgDirectory)``)."""

    def __init__(self, db: Database) -> None:
        self.repo = OrgRepository(db)
        self._tree: TeamTree | None = None
        self._loaded = 0.0
        self._synced = False
        self._syncing: asyncio.Future[None] | None = None
        self._loading: asyncio.Future[TeamTree] | None = None
        self._generation = 0

    async def sync_config(self, settings: PulseSettings, *, at: datetime) -> None:
        """Write the config's teams (source "config") once per process."""
        if self._synced:
            return
        # Single flight: the first burst of votes after a start would otherwise run one
        # replace_source write per click.
        if self._syncing is None or (self._syncing.done() and not self._synced):
            self._syncing = asyncio.ensure_future(self._sync(settings, at))
        await asyncio.shield(self._syncing)

    async def _sync(self, settings: PulseSettings, at: datetime) -> None:
        specs = [TeamSpec(name, team.parent or None, tuple(team.members), tuple(team.managers))
                 for name, team in settings.teams.items()]
        await self.repo.replace_source(specs, source="config", by="config", at=at)
        self._synced = True
        self.invalidate()

    async def tree(self, settings: PulseSettings, *, at: datetime) -> TeamTree:
        await self.sync_config(settings, at=at)
        if self._tree is None or time.monotonic() - self._loaded > CACHE_SECONDS:
            # Single flight: at expiry every click in flight would reload the tree.
            if self._loading is None or self._loading.done():
                self._loading = asyncio.ensure_future(self._load())
            return await asyncio.shield(self._loading)
        return self._tree

    async def _load(self) -> TeamTree:
        generation = self._generation
        records = await self.repo.all()
        tree = TeamTree(Team(r.name, r.parent, r.members, r.managers) for r in records)
        if generation == self._generation:  # no write since the read began
            self._tree, self._loaded = tree, time.monotonic()
        return tree

    def invalidate(self) -> None:
        self._generation += 1
        self._loading = None
        self._tree = None

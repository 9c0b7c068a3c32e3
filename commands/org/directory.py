"""The organisation as the features read it: a cached ``TeamTree`` from storage, with the
``[pulse.teams]`` of the config synced in once per process."""

from __future__ import annotations

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

    async def sync_config(self, settings: PulseSettings, *, at: datetime) -> None:
        """Write the config's teams (source "config") once per process."""
        if self._synced:
            return
        specs = [TeamSpec(name, team.parent or None, tuple(team.members), tuple(team.managers))
                 for name, team in settings.teams.items()]
        await self.repo.replace_source(specs, source="config", by="config", at=at)
        self._synced = True
        self.invalidate()

    async def tree(self, settings: PulseSettings, *, at: datetime) -> TeamTree:
        await self.sync_config(settings, at=at)
        if self._tree is None or time.monotonic() - self._loaded > CACHE_SECONDS:
            records = await self.repo.all()
            self._tree = TeamTree(Team(r.name, r.parent, r.members, r.managers) for r in records)
            self._loaded = time.monotonic()
        return self._tree

    def invalidate(self) -> None:
        self._tree = None

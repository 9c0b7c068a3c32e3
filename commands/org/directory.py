"""The organisation as the features read it: a cached ``TeamTree`` from storage, with the
``[org.teams]`` of the config synced in once per process."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime

from commands.org.settings import OrgSettings
from commands.org.tree import Team, TeamTree
from storage.db import Database
from storage.org import OrgRepository, TeamRecord, TeamSpec
from storage.singleflight import SingleFlight

CACHE_SECONDS = 30.0  # other instances' changes show up within this time


class OrgDirectory:
    """One per process (``ctx.state(OrgDirectory)``)."""

    def __init__(self, db: Database) -> None:
        self.repo = OrgRepository(db)
        self._tree: TeamTree | None = None
        self._loaded = 0.0
        self._synced = False
        self._syncing: SingleFlight[str, None] = SingleFlight()
        self._loading: SingleFlight[str, TeamTree] = SingleFlight()
        self._generation = 0

    async def sync_config(self, settings: OrgSettings, *, at: datetime) -> None:
        """Write the config's teams (source "config") once per process."""
        if self._synced:
            return
        # Single flight: the first burst of votes after a start would otherwise run one
        # replace_source write per click.
        await self._syncing.run("config", lambda: self._sync(settings, at))

    async def _sync(self, settings: OrgSettings, at: datetime) -> None:
        specs = [TeamSpec(name, team.parent or None, tuple(team.members), tuple(team.managers))
                 for name, team in settings.teams.items()]
        await self.repo.replace_source(specs, source="config", by="config", at=at)
        self._synced = True
        self.invalidate()

    async def tree(self, settings: OrgSettings, *, at: datetime) -> TeamTree:
        await self.sync_config(settings, at=at)
        if self._tree is not None and time.monotonic() - self._loaded <= CACHE_SECONDS:
            return self._tree
        # Single flight: at expiry every click in flight would reload the tree.
        loading = self._loading.start("tree", self._load)
        if self._tree is not None:
            # Expired, not invalidated (this process wrote nothing): answer from the old tree
            # while the new one loads. Reloading a 50,000-person organisation takes a
            # second, and every vote waiting for it made the 1 s ack tail at 300 votes/s.
            return self._tree
        return await asyncio.shield(loading)

    async def _load(self) -> TeamTree:
        generation = self._generation
        records = await self.repo.all()
        # Built in a worker thread: the event loop keeps acking votes in between (the GIL
        # switches every few ms) instead of stalling for the whole build.
        tree = await asyncio.to_thread(_build, records)
        if generation == self._generation:  # no write since the read began
            self._tree, self._loaded = tree, time.monotonic()
        return tree

    def invalidate(self) -> None:
        self._generation += 1
        self._loading.clear()
        self._tree = None


def _build(records: list[TeamRecord]) -> TeamTree:
    return TeamTree(Team(r.name, r.parent, r.members, r.managers) for r in records)

"""Repositories by class, created once per process around the one Database."""

from __future__ import annotations

from typing import Any, TypeVar

from storage.db import Database

R = TypeVar("R")


class _OnePerClass:
    """One object per class, made on first request as ``cls(db)`` and kept."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._made: dict[type[Any], Any] = {}

    def _one(self, cls: type[R]) -> R:
        found = self._made.get(cls)
        if found is None:
            found = cls(self.db)  # type: ignore[call-arg]
            self._made[cls] = found
        return found  # type: ignore[no-any-return]


class Store(_OnePerClass):
    """``store.repo(SignalRepository)``: each repository class takes the Database in its
    constructor. Features ask for the repositories they own; nothing registers at import."""

    def repo(self, cls: type[R]) -> R:
        return self._one(cls)


class ProcessState(_OnePerClass):
    """Per-process state of the features by class (``ctx.state(PulseRuntime)``): caches,
    loaded keys, conversations in progress. Kept apart from the repositories (which are
    stateless views on tables) so a reader sees at once which objects hold memory that other
    processes do not share. Each class takes the Database in its constructor."""

    def get(self, cls: type[R]) -> R:
        return self._one(cls)

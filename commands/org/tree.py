"""The shape of the organisation: teams with an optional parent, as a pure value.

``TeamTree`` answers the questions the pulse and summary code asks (who is in a team
including its sub-teams, which team is the most specific one of a person, ancestors) without
touching storage, so the anonymity rules can be tested on random trees.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

ROOT = "*"  # the virtual root: everyone, whatever their team (a whole poll's result)


@dataclass(frozen=True)
class Team:
    name: str
    parent: str | None = None
    members: frozenset[str] = field(default_factory=frozenset)
    managers: frozenset[str] = field(default_factory=frozenset)


class CycleError(ValueError):
    """A parent chain that loops back (A -> B -> A)."""


class TeamTree:
    """Teams by name. A parent that names no known team is treated as no parent."""

    def __init__(self, teams: Iterable[Team]) -> None:
        self.teams: dict[str, Team] = {t.name: t for t in teams}
        self._children: dict[str, list[str]] = {}
        # person -> teams (the vote path's lookup). Most people are in one team: they share
        # that team's one-tuple: a 50,000-person tree is a few thousand new objects, not
        # 50,000 lists the garbage collector walks (built in 40-60 ms instead of 120-150).
        self._teams_of: dict[str, tuple[str, ...]] = {}
        self._subtrees: dict[str, frozenset[str]] = {}
        for team in self.teams.values():
            self._children.setdefault(self.parent(team.name), []).append(team.name)
            self._add_members(team)
        self._depth = {name: len(self.ancestors(name)) + 1 for name in self.teams}  # CycleError

    def _add_members(self, team: Team) -> None:
        teams_of = self._teams_of
        again = [m for m in team.members if m in teams_of]  # in an earlier team too
        if len(again) < len(team.members):
            alone = (team.name,)
            teams_of.update(dict.fromkeys(team.members.difference(again), alone))
        for member in again:
            teams_of[member] = (*teams_of[member], team.name)

    def parent(self, name: str) -> str:
        """The parent team, or ROOT."""
        team = self.teams.get(name)
        if team is None or team.parent is None or team.parent not in self.teams:
            return ROOT
        return team.parent

    def parent_map(self) -> dict[str, str | None]:
        """Every node (with ROOT) to its parent (ROOT has None)."""
        found: dict[str, str | None] = {ROOT: None}
        found.update({name: self.parent(name) for name in self.teams})
        return found

    def ancestors(self, name: str) -> list[str]:
        """From the parent up to (not including) ROOT."""
        chain: list[str] = []
        current = self.parent(name)
        while current != ROOT:
            if current == name or current in chain:
                raise CycleError(f"team {name!r} is its own ancestor")
            chain.append(current)
            current = self.parent(current)
        return chain

    def children(self, name: str) -> list[str]:
        return sorted(self._children.get(name, []))

    def subtree(self, name: str) -> frozenset[str]:
        """``name`` and every team below it."""
        cached = self._subtrees.get(name)
        if cached is None:
            found = {name}
            stack = [name]
            while stack:
                for child in self._children.get(stack.pop(), []):
                    if child not in found:
                        found.add(child)
                        stack.append(child)
            cached = self._subtrees[name] = frozenset(found)
        return cached

    def members(self, name: str) -> set[str]:
        """Everyone in ``name`` or one of its sub-teams."""
        return {m for team in self.subtree(name) if team in self.teams
                for m in self.teams[team].members}

    def depth(self, name: str) -> int:
        return self._depth.get(name, 0)

    def team_of(self, user_key: str, *, within: str | None = None) -> str:
        """The most specific team of a person (deepest; by name on a tie), optionally only
        among ``within`` and its sub-teams; "" when none."""
        found: tuple[str, ...] | list[str] = self._teams_of.get(user_key, ())
        if within:
            scope = self.subtree(within)
            found = [t for t in found if t in scope]
        if not found:
            return ""
        return min(found, key=lambda t: (-self.depth(t), t))

    def would_cycle(self, name: str, parent: str | None) -> bool:
        """True when making ``parent`` the parent of ``name`` closes a loop."""
        if parent is None:
            return False
        return parent == name or parent in self.subtree(name)



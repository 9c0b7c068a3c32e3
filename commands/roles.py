"""Who may do what: roles from config plus grants made by command, checked per request."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from commands.model import UserRef
from storage.roles import RoleRepository

ROLES: tuple[str, ...] = ("admin", "comms", "triage", "manager")


class Roles:
    """``has(user, "manager", team="x")``; ``has(user, "manager")`` is true for any team.

    Config grants (``[roles]``) cannot be revoked by command: config is the operator's.
    """

    def __init__(
        self,
        repo: RoleRepository,
        *,
        config: Mapping[str, Sequence[str]] | None = None,
        managers: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        self._repo = repo
        self._config = {role: frozenset(users) for role, users in (config or {}).items()}
        self._managers = {team: frozenset(users) for team, users in (managers or {}).items()}

    async def has(self, user: UserRef, role: str, *, team: str | None = None) -> bool:
        if role == "manager":
            if team is None and any(user.key in m for m in self._managers.values()):
                return True
            if team is not None and user.key in self._managers.get(team, frozenset()):
                return True
        elif user.key in self._config.get(role, frozenset()):
            return True
        return await self._repo.has(user.key, role, team=team)

    async def of(self, user: UserRef) -> set[str]:
        found = {role for role, users in self._config.items() if user.key in users}
        if any(user.key in m for m in self._managers.values()):
            found.add("manager")
        return found | await self._repo.roles_of(user.key)

    def config_grants(self) -> list[tuple[str, str, str | None]]:
        grants: list[tuple[str, str, str | None]] = [
            (role, user, None) for role, users in self._config.items() for user in sorted(users)
        ]
        grants += [("manager", u, t) for t, users in self._managers.items() for u in sorted(users)]
        return grants

    async def holders(self, role: str) -> set[str]:
        """Everyone holding ``role`` without a team: from the config and granted by chat."""
        keys = {user for granted, user, _ in self.config_grants() if granted == role}
        return keys | {g.user_key for g in await self._repo.all() if g.role == role}

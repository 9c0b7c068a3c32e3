"""Which language to answer in: the person's choice, else the channel's, else the
workspace's configured default, else the platform's hint, else the global default."""

from __future__ import annotations

from collections.abc import Mapping

from commands.i18n import DEFAULT_LOCALE, normalise_locale
from commands.model import Address, UserRef
from storage.preferences import PreferenceRepository


class LocaleResolver:
    def __init__(
        self,
        prefs: PreferenceRepository,
        *,
        default: str = DEFAULT_LOCALE,
        workspaces: Mapping[str, str] | None = None,
    ) -> None:
        """``workspaces`` maps ``"slack"`` or ``"slack:T123"`` to a locale."""
        self._prefs = prefs
        self._default = default
        self._workspaces = dict(workspaces or {})

    async def resolve(
        self, user: UserRef | None, address: Address | None, hint: str | None = None
    ) -> str:
        scopes = []
        if user is not None:
            scopes.append(f"user:{user.key}")
        if address is not None:
            scopes.append(f"channel:{address.without_thread()}")
        found = await self._prefs.get_many(scopes, "locale") if scopes else {}
        for scope in scopes:
            if scope in found:
                return found[scope]
        if address is not None:
            for key in (f"{address.platform}:{address.workspace}", address.platform):
                if key in self._workspaces:
                    return self._workspaces[key]
        return normalise_locale(hint) or self._default

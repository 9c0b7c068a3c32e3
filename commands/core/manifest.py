"""The core commands (help, language, roles), declared (commands/feature.py). Their tables
(preferences, role grants) are the platform's own: the app reads them for every request."""

from __future__ import annotations

from typing import TYPE_CHECKING

from commands.feature import Feature

if TYPE_CHECKING:
    from commands.router import Router


def _register(router: Router) -> None:
    from commands.core import register

    register(router)


FEATURE = Feature(name="core", register=_register)

"""Retention and the privacy report, declared (commands/feature.py). The inventory of what
is stored is the manifests' (commands/privacy/inventory.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from commands.feature import Feature
from commands.privacy.settings import PrivacySettings

if TYPE_CHECKING:
    from commands.router import Router


def _register(router: Router) -> None:
    from commands.privacy import register

    register(router)


FEATURE = Feature(name="privacy", register=_register, settings=PrivacySettings,
                  cli=("bots.cli_privacy",))

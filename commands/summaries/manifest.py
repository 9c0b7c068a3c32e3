"""Team summaries for managers, declared (commands/feature.py): no settings or tables of
their own (they read pulse results and the team tree)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from commands.feature import Feature

if TYPE_CHECKING:
    from commands.router import Router


def _register(router: Router) -> None:
    from commands.summaries import register

    register(router)


FEATURE = Feature(name="summaries", register=_register)

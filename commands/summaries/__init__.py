"""``summary <team> [pulse]`` for a team's managers, and the optional weekly summary DM
(job kind ``summaries.weekly``, one schedule per team)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from commands.router import Router


def register(router: Router) -> None:
    # Imported here: importing the manifests must not load the handlers.
    from commands.summaries.command import SUMMARY_COMMAND, WEEKLY, weekly_job

    router.tree(SUMMARY_COMMAND)
    router.job(WEEKLY, weekly_job)

"""Work-system notifications (TopDesk, Corsa, Coda, Fixi, ...) in chat: webhooks become
messages to a person, a team's channel or an audience, immediately or as a daily digest,
never during quiet hours unless urgent."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from commands.router import Router


def register(router: Router) -> None:
    # Imported here: importing the manifests must not load the handlers.
    from commands.notices.command import HOOKS, NOTIFICATIONS
    from commands.notices.digest import flush
    from commands.notices.intake import FLUSH

    router.tree(NOTIFICATIONS)
    router.tree(HOOKS)
    router.job(FLUSH, flush)

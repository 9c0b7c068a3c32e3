"""Work-system notifications (TopDesk, Corsa, Coda, Fixi, ...) in chat: webhooks become
messages to a person, a team's channel or an audience, immediately or as a daily digest,
never during quiet hours unless urgent."""

from __future__ import annotations

from commands.notices.command import HOOKS, NOTIFICATIONS
from commands.notices.digest import flush
from commands.notices.intake import FLUSH
from commands.router import Router


def register(router: Router) -> None:
    router.tree(NOTIFICATIONS)
    router.tree(HOOKS)
    router.job(FLUSH, flush)

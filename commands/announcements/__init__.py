"""Announcements: compose (command or form), preview, four-eyes approval, schedule or
recurrence, embargo ("internal first"), delivery through the outbox, acknowledgement with
reminders, and the reach report. Platform-neutral; adapters render the neutral messages."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from commands.router import Router


def register(router: Router) -> None:
    # Imported here: the manifest (commands/announcements/manifest.py) imports this package,
    # and importing the manifests must not load the handlers (start-up, storage.schema).
    from commands.announcements import interactions, jobs
    from commands.announcements.command import ANNOUNCE
    from commands.announcements.form import FORM_ID, submitted
    from commands.announcements.lifecycle import POST, REMIND, REPORT, SENT
    from commands.announcements.render import ACK, APPROVE, CONFIRM, DISCARD, REJECT

    router.tree(ANNOUNCE)
    router.form(FORM_ID, submitted)
    router.interaction(CONFIRM, interactions.on_confirm)
    router.interaction(DISCARD, interactions.on_discard)
    router.interaction(APPROVE, interactions.on_approve)
    router.interaction(REJECT, interactions.on_reject)
    router.interaction(ACK, interactions.on_ack, stateless=True)
    router.job(POST, jobs.run_post)
    router.job(SENT, jobs.run_sent)
    router.job(REMIND, jobs.run_remind)
    router.job(REPORT, jobs.run_report)

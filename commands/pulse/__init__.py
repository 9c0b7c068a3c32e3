"""Pulse polls: short, recurring, anonymous by default (see README.md, Pulse polls).

``register`` wires the ``pulse`` command tree, the preview and approval buttons, the compose
form and the step-by-step DM guide, the answer buttons and form, the free-text DM
conversation and the scheduled jobs (open, remind, close, destroy the round key, and a daily
sweep for jobs missed while the process was down).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from commands.router import Router


def register(router: Router) -> None:
    # Imported here: commands.pulse.settings is read by commands.org, which the handlers use.
    from commands.pulse import answer, buttons, guide, jobs, lifecycle
    from commands.pulse.command import COMMAND

    router.tree(COMMAND)
    router.interaction(lifecycle.CONFIRM, buttons.on_confirm)
    router.interaction(lifecycle.EDIT, buttons.on_edit)
    router.interaction(lifecycle.CANCEL, buttons.on_cancel)
    router.interaction(lifecycle.APPROVE, buttons.on_approve)
    router.interaction(lifecycle.REJECT, buttons.on_reject)
    router.form(guide.FORM_ID, guide.submitted)
    router.conversation(guide.on_text)
    router.interaction(answer.START, answer.on_start, stateless=True)
    router.interaction(answer.VOTE, answer.on_vote, stateless=True)
    router.interaction(answer.WRITE, answer.on_write)
    router.form(answer.FORM, answer.on_form)
    router.conversation(answer.on_text)
    router.job(jobs.OPEN, jobs.open_job)
    router.job(jobs.REMIND, jobs.remind_job)
    router.job(jobs.CLOSE, jobs.close_job)
    router.job(jobs.FORGET, jobs.forget_job)
    router.job(jobs.SWEEP, jobs.sweep_job, standing=jobs.SWEEP_DAILY)

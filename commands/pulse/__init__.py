"""Pulse polls: short, recurring, anonymous by default (see README.md, Pulse polls).

``register`` wires the ``pulse`` command, the answer buttons and form, the free-text DM
conversation and the scheduled jobs (open, remind, close, destroy the round key, and a daily
sweep for jobs missed while the process was down).
"""

from __future__ import annotations

from commands.router import Router


def register(router: Router) -> None:
    # Imported here: commands.pulse.settings is read by commands.org, which the handlers use.
    from commands.pulse import answer, command, jobs
    from commands.pulse.text import PULSE

    router.command("pulse", command.handle, aliases=("peiling", "pulses"),
                   help=(PULSE, "help"))
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

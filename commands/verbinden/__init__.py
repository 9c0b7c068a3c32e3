"""Verbinden: colleagues who meet across departments and locations (see README.md,
Verbinden). Opt-in programmes, rounds on the shared scheduler, introductions through the
outbox, a follow-up question and aggregate figures for the organiser."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from commands.router import Router


def register(router: Router) -> None:
    from commands.verbinden import command, followup, form, jobs, rounds
    from commands.verbinden.create import ROUND

    router.tree(command.VERBINDEN_COMMAND)
    router.interaction("verbinden.join", command.on_join)
    router.interaction("verbinden.skip", command.on_skip)
    router.interaction("verbinden.stop", command.on_stop)
    router.interaction(followup.MET, followup.on_met)
    router.form(form.FORM_ID, form.on_form)
    router.conversation(command.on_text)
    router.job(ROUND, jobs.round_job)
    router.job(rounds.REPORT, followup.report_job)
    router.job(rounds.FOLLOWUP, followup.followup_job)

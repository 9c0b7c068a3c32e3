"""Anonymous signals with follow-up (issue 5): ``/hartslag signal`` and its subcommands.

Employees report a concern, idea or question without their name; the triage team answers
through a sealed relay, follows up and reports back ("you said, we did"). See
the README section on signals for what is and is not stored, and ``storage/signals.py``.
The command's tree (who may do what, usage, examples) is declared in ``command.py``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from commands.schedule import Trigger

if TYPE_CHECKING:
    from commands.context import Context
    from commands.model import FormSubmission, InboundMessage, Interaction, Reply
    from commands.router import Router


def register(router: Router) -> None:
    """The ``signal`` command, the form, the DM conversation and the two job kinds."""
    # Imported here: importing the manifests must not load the handlers.
    from commands.signals.command import signal_command
    from commands.signals.drafts import Drafts
    from commands.signals.jobs import DIGEST, PURGE, PURGE_AT, digest_job, purge_job
    from commands.signals.send import FORM_ID, TOPIC, converse, submitted, topic_pressed
    from commands.signals.service import withheld

    drafts = Drafts()  # per app, in memory only

    async def form(submission: FormSubmission, ctx: Context) -> Reply:
        with withheld():
            return await submitted(submission, ctx)

    async def conversation(message: InboundMessage, ctx: Context) -> Reply | None:
        with withheld():
            return await converse(message, ctx, drafts)

    async def topic(interaction: Interaction, ctx: Context) -> Reply:
        with withheld():
            return await topic_pressed(interaction, ctx, drafts)

    router.tree(signal_command(drafts))
    router.form(FORM_ID, form)
    router.interaction(TOPIC, topic)
    router.conversation(conversation)
    router.job(DIGEST, digest_job)
    # Standing: retention must not depend on someone opening the triage inbox first.
    router.job(PURGE, purge_job, standing=Trigger("daily", time=PURGE_AT))

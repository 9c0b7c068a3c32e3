"""How an answer, an abstention and a shown entry look, on every platform.

Alternatives and feedback are Choices: buttons on Slack and Teams, numbered replies or
reactions on Matrix and in the local chat. Each Choice carries the stored question number,
never the person.
"""

from __future__ import annotations

from commands.context import Context
from commands.model import Choice, OutgoingMessage, Reply
from commands.wheres.entry import Entry
from commands.wheres.messages import TEXT

LABEL_MAX = 70


def label_of(entry: Entry) -> str:
    text = entry.question
    return text if len(text) <= LABEL_MAX else text[: LABEL_MAX - 1] + "…"


def entry_markdown(ctx: Context, entry: Entry) -> str:
    lines = [f"**{entry.question}**", entry.answer]
    if entry.url:
        lines.append(ctx.text(TEXT, "answer.more", url=entry.url))
    return "\n".join(lines)


def feedback_choices(ctx: Context, question_id: int | None) -> tuple[Choice, ...]:
    if question_id is None:
        return ()
    return (
        Choice("wheres.feedback", f"{question_id}:helped", ctx.text(TEXT, "button.helped"),
               style="primary"),
        Choice("wheres.feedback", f"{question_id}:unhelpful", ctx.text(TEXT, "button.unhelpful")),
    )


def show_choices(question_id: int | None, entries: list[Entry]) -> tuple[Choice, ...]:
    prefix = "" if question_id is None else str(question_id)
    return tuple(Choice("wheres.show", f"{prefix}:{e.id}", label_of(e)) for e in entries)


def answer_reply(
    ctx: Context, entry: Entry, alternatives: list[Entry], question_id: int | None
) -> Reply:
    text = entry_markdown(ctx, entry)
    if alternatives:
        text += "\n\n" + ctx.text(TEXT, "answer.alternatives")
    choices = show_choices(question_id, alternatives) + feedback_choices(ctx, question_id)
    return Reply(OutgoingMessage(text, choices=choices))


def abstain_reply(ctx: Context, hints: list[Entry], question_id: int | None) -> Reply:
    text = ctx.text(TEXT, "abstain")
    if hints:
        text += "\n\n" + ctx.text(TEXT, "abstain.hints")
    return Reply(OutgoingMessage(text, choices=show_choices(question_id, hints)))

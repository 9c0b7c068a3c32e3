"""Asking: ``/hartslag waar <vraag>``, a DM or a mention, and the buttons under an answer."""

from __future__ import annotations

from commands.context import Context
from commands.errors import UserError
from commands.model import CommandRequest, InboundMessage, Interaction, OutgoingMessage, Reply
from commands.tree import Command, Param, Sub, T, Words
from commands.wheres.knowledge import Knowledge, repo, settings_of
from commands.wheres.messages import TEXT
from commands.wheres.reply import abstain_reply, answer_reply, entry_markdown, feedback_choices
from commands.wheres.text import normalise


class Asking:
    """Handlers for questions and their buttons, around one ``Knowledge``."""

    def __init__(self, knowledge: Knowledge) -> None:
        self.knowledge = knowledge

    async def command(self, request: CommandRequest, ctx: Context, text: str) -> Reply | None:
        """``where <question>`` / ``waar <vraag>``: the whole text after the word is asked."""
        return await self.answer(ctx, text)

    async def message(self, request: InboundMessage, ctx: Context) -> Reply | None:
        """A plain DM or a mention is a question; other channel messages are not ours."""
        settings = settings_of(ctx)
        wanted = (request.is_direct and settings.answer_direct_messages) or (
            not request.is_direct and request.mentioned and settings.answer_mentions
        )
        if not wanted:
            return None
        return await self.answer(ctx, request.text)

    async def answer(self, ctx: Context, question: str) -> Reply:
        if not normalise(question):
            # Nothing to look up ("hallo?"): explain instead of recording a non-question.
            return Reply.text(ctx.text(TEXT, "usage.where"))
        index = await self.knowledge.index(ctx)
        if not len(index):
            return Reply.text(ctx.text(TEXT, "empty"))
        asked = await self.knowledge.ask(ctx, question)
        match = asked.match
        alternatives = [e for e in map(index.get, match.alternatives) if e is not None]
        if match.entry_id is None:
            return abstain_reply(ctx, alternatives, asked.question_id)
        entry = index.get(match.entry_id)
        if entry is None:  # removed between match and now
            return abstain_reply(ctx, [], asked.question_id)
        return answer_reply(ctx, entry, alternatives, asked.question_id)

    async def show(self, request: Interaction, ctx: Context) -> Reply | None:
        """An alternative was picked: show it; feedback now applies to this entry."""
        number, _, entry_id = request.value.partition(":")
        entry = await self.knowledge.entry(ctx, entry_id)
        if entry is None:
            raise UserError(ctx.text(TEXT, "entry.gone"))
        question_id = int(number) if number.isdecimal() else None
        if question_id is not None and not await repo(ctx).show_entry(question_id, entry_id):
            question_id = None  # feedback already given: no second set of buttons
        text = entry_markdown(ctx, entry)
        return Reply(OutgoingMessage(text, choices=feedback_choices(ctx, question_id)))

    async def feedback(self, request: Interaction, ctx: Context) -> Reply | None:
        """"Helped" / "did not help": counted on the entry; unhelpful ones join the gap list."""
        number, _, verdict = request.value.partition(":")
        if not number.isdecimal() or verdict not in ("helped", "unhelpful"):
            raise UserError(ctx.text(TEXT, "feedback.unknown"))
        if await repo(ctx).question(int(number)) is None:
            raise UserError(ctx.text(TEXT, "feedback.unknown"))
        row = await repo(ctx).set_feedback(int(number), "helped" if verdict == "helped"
                                           else "unhelpful")
        if row is None:
            return Reply.text(ctx.text(TEXT, "feedback.done"))
        key = "feedback.thanks" if verdict == "helped" else "feedback.sorry"
        return Reply.text(ctx.text(TEXT, key))


def where_command(asking: Asking) -> Command:
    """The declared ``waar``/``where`` command: one root taking the question as free text
    (raw, so quotes and question marks reach the matcher as typed). A DM without the word
    is a plain message and goes to ``Asking.message``, not through here."""
    return Command(
        Words("where", "waar"),
        T("vraag waar je iets vindt (salarisstrook, verlof, ICT)",
          "ask where to find something (payslip, leave, IT)"),
        root=Sub(Words("", ""), T("stel je vraag; in een privébericht mag `waar` ook weg",
                                  "ask your question; in a direct message you may leave out `where`"),
                 asking.command, params=(Param(Words("question", "vraag"), required=True,
                                               many=True),),
                 raw=True, example=T("waar vind ik mijn loonstrook", "where is my payslip")))

"""Asking through the router: the command, DMs, mentions, abstention and anonymity."""

from __future__ import annotations

import sqlalchemy as sa

from storage.faq import FaqQuestion, FaqRepository
from tests.wheres.conftest import CHANNEL, EMPLOYEE, Bot, load_sample


async def questions(bot: Bot) -> list[FaqQuestion]:
    repo = bot.app.store.repo(FaqRepository)
    async with repo._db.session(readonly=True) as s:
        return list((await s.exec(sa.select(FaqQuestion))).scalars())  # type: ignore[call-overload]


async def test_where_command_answers_with_link_and_feedback_buttons(bot: Bot) -> None:
    await load_sample(bot)
    reply = await bot.command(EMPLOYEE, "waar", "vind ik mijn loonstrook")
    assert reply is not None and reply.message is not None
    assert "ADP" in reply.message.markdown
    assert "https://intranet.gemeente.example/adp" in reply.message.markdown
    actions = [c.action for c in reply.message.choices]
    assert actions[-2:] == ["wheres.feedback", "wheres.feedback"]
    assert reply.private


async def test_english_alias_of_the_command(bot: Bot) -> None:
    await load_sample(bot)
    reply = await bot.command(EMPLOYEE, "where", "is my payslip")
    assert reply is not None and reply.message is not None
    assert "ADP" in reply.message.markdown


async def test_plain_dm_and_mention_are_questions(bot: Bot) -> None:
    await load_sample(bot)
    dm = await bot.dm(EMPLOYEE, "hoe vraag ik vakantie aan")
    assert dm is not None and dm.message is not None and "Verlof" in dm.message.markdown
    mention = await bot.say(EMPLOYEE, "wifi code voor bezoekers?", mentioned=True)
    assert mention is not None and mention.message is not None
    assert "Gemeente-Gast" in mention.message.markdown
    assert await bot.say(EMPLOYEE, "wifi code voor bezoekers?") is None  # not for us


async def test_dm_starting_with_the_command_word(bot: Bot) -> None:
    await load_sample(bot)
    reply = await bot.dm(EMPLOYEE, "waar meld ik een ICT-probleem")
    assert reply is not None and reply.message is not None
    assert "TopDesk" in reply.message.markdown


async def test_out_of_scope_abstains_and_is_recorded_without_asker(bot: Bot) -> None:
    await load_sample(bot)
    reply = await bot.dm(EMPLOYEE, "wie wint het songfestival")
    assert reply is not None and reply.message is not None
    assert "gok" in reply.message.markdown  # "ik gok liever niet"
    assert not [c for c in reply.message.choices if c.action == "wheres.feedback"]
    rows = await questions(bot)
    assert [(r.text, r.outcome, r.entry_id) for r in rows] == [
        ("wie wint het songfestival", "unanswered", None)]
    # Anonymity: nothing in the row points back to the person or the conversation.
    columns = set(FaqQuestion.model_fields)
    assert not columns & {"user", "user_key", "sender", "channel", "address", "message_id"}
    stored = " ".join(str(getattr(rows[0], c)) for c in columns)
    assert EMPLOYEE.id not in stored and str(CHANNEL) not in stored
    assert rows[0].asked_on.hour == 0 and rows[0].asked_on.minute == 0


async def test_greeting_without_content_is_not_recorded(bot: Bot) -> None:
    await load_sample(bot)
    reply = await bot.dm(EMPLOYEE, "hoe?")
    assert reply is not None and reply.message is not None
    assert "Wat zoek je" in reply.message.markdown
    assert await questions(bot) == []


async def test_empty_knowledge_base_says_so(bot: Bot) -> None:
    reply = await bot.dm(EMPLOYEE, "waar is mijn loonstrook")
    assert reply is not None and reply.message is not None
    assert "leeg" in reply.message.markdown


async def test_alternative_button_shows_that_entry(bot: Bot) -> None:
    await load_sample(bot)
    reply = await bot.command(EMPLOYEE, "waar", "book a company car")
    assert reply is not None and reply.message is not None
    shows = [c for c in reply.message.choices if c.action == "wheres.show"]
    assert shows, "a close alternative is offered"
    shown = await bot.press(EMPLOYEE, "wheres.show", shows[0].value)
    assert shown is not None and shown.message is not None
    assert [c.action for c in shown.message.choices] == ["wheres.feedback"] * 2
    rows = await questions(bot)
    assert rows[0].entry_id == shows[0].value.partition(":")[2]


async def test_where_help_and_an_empty_question(bot: Bot) -> None:
    await load_sample(bot)
    out = await bot.command(EMPLOYEE, "waar", "help")
    assert out is not None and out.message is not None
    assert "`waar <vraag...>`" in out.message.markdown
    assert "Voorbeeld: `waar vind ik mijn loonstrook`" in out.message.markdown
    empty = await bot.command(EMPLOYEE, "waar", "")
    assert empty is not None and empty.message is not None
    assert "Wat zoek je?" in empty.message.markdown
    english = await bot.command(EMPLOYEE, "where", "help")
    assert english is not None and english.message is not None
    assert "**waar** (`where`)" in english.message.markdown

"""Feedback buttons, the gap list and owners turning questions into aliases."""

from __future__ import annotations

from commands.model import Reply
from storage.faq import FaqRepository
from tests.wheres.conftest import COMMS, EMPLOYEE, OWNER, Bot, load_sample


def choice_value(reply: Reply | None, action: str, suffix: str = "") -> str:
    assert reply is not None and reply.message is not None
    return next(c.value for c in reply.message.choices
                if c.action == action and c.value.endswith(suffix))


async def test_feedback_is_counted_once(bot: Bot) -> None:
    await load_sample(bot)
    reply = await bot.dm(EMPLOYEE, "loonstrook")
    helped = choice_value(reply, "wheres.feedback", ":helped")
    thanks = await bot.press(EMPLOYEE, "wheres.feedback", helped)
    assert thanks is not None and thanks.message is not None
    assert "Dank je" in thanks.message.markdown
    again = await bot.press(EMPLOYEE, "wheres.feedback", helped.replace("helped", "unhelpful"))
    assert again is not None and again.message is not None
    assert "al genoteerd" in again.message.markdown
    row = await bot.app.store.repo(FaqRepository).get("salaris")
    assert (row.helped, row.unhelpful) == (1, 0)


async def test_unhelpful_and_unanswered_questions_form_the_gap_list(bot: Bot) -> None:
    await load_sample(bot)
    for _ in range(2):
        await bot.dm(EMPLOYEE, "wie wint het songfestival")
    reply = await bot.dm(EMPLOYEE, "rooster buitendienst")
    await bot.press(EMPLOYEE, "wheres.feedback", choice_value(reply, "wheres.feedback",
                                                              ":unhelpful"))
    gaps = await bot.command(COMMS, "faq", "gaps")
    assert gaps is not None and gaps.message is not None
    text = gaps.message.markdown
    assert "“wie wint het songfestival”: 2 keer (2 onbeantwoord, 0 hielp niet)" in text
    assert "“rooster buitendienst”: 1 keer (0 onbeantwoord, 1 hielp niet)" in text
    assert "`werf-rooster`" in text


async def test_owner_confirms_paraphrase_and_it_becomes_an_alias(bot: Bot) -> None:
    await load_sample(bot, owner=OWNER.key)
    question = "wat verdien ik deze maand"
    first = await bot.dm(EMPLOYEE, question)
    assert first is not None and first.message is not None
    assert "ADP" not in first.message.markdown  # not known yet: abstains
    number = (await bot.app.store.repo(FaqRepository).gaps(since=bot.clock.now()))[0].question_id

    refused = await bot.press(EMPLOYEE, "wheres.alias", f"{number}:salaris")
    assert refused is not None and refused.message is not None
    assert "eigenaar" in refused.message.markdown

    confirmed = await bot.press(OWNER, "wheres.alias", f"{number}:salaris")
    assert confirmed is not None and confirmed.message is not None
    assert "alias van `salaris`" in confirmed.message.markdown

    again = await bot.dm(EMPLOYEE, "Wat verdien ik deze maand?")
    assert again is not None and again.message is not None
    assert "ADP" in again.message.markdown
    assert await bot.app.store.repo(FaqRepository).gaps(since=bot.clock.now()) == []
    row = await bot.app.store.repo(FaqRepository).get("salaris")
    assert row is not None and row.aliases == [question]


async def test_alias_by_command_and_dismiss(bot: Bot) -> None:
    await load_sample(bot)
    await bot.dm(EMPLOYEE, "hoe oud ben jij")
    await bot.dm(EMPLOYEE, "waar vind ik de bodemkaart")
    gaps = await bot.app.store.repo(FaqRepository).gaps(since=bot.clock.now())
    # A DM that starts with the command word is the command: "waar" is not stored.
    numbers = {g.text: g.question_id for g in gaps}
    assert set(numbers) == {"hoe oud ben jij", "vind ik de bodemkaart"}
    done = await bot.command(COMMS, "faq", f"dismiss {numbers['hoe oud ben jij']}")
    assert done is not None and done.message is not None and "niet meer" in done.message.markdown
    alias = await bot.command(COMMS, "faq", f"alias {numbers['vind ik de bodemkaart']} fixi")
    assert alias is not None and alias.message is not None
    assert "alias van `fixi`" in alias.message.markdown
    assert await bot.app.store.repo(FaqRepository).gaps(since=bot.clock.now()) == []

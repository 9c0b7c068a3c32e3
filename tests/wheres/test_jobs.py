"""The weekly gap digest and review reminders, delivered through the outbox."""

from __future__ import annotations

from datetime import timedelta

from commands.wheres.jobs import DIGEST, REVIEW
from tests.wheres.conftest import COMMS, EMPLOYEE, OWNER, Bot, load_sample


async def test_digest_goes_to_owner_with_confirm_buttons(bot: Bot) -> None:
    await load_sample(bot, owner=OWNER.key)
    reply = await bot.dm(EMPLOYEE, "rooster buitendienst")
    assert reply is not None and reply.message is not None
    unhelpful = next(c.value for c in reply.message.choices if c.value.endswith(":unhelpful"))
    await bot.press(EMPLOYEE, "wheres.feedback", unhelpful)
    await bot.dm(EMPLOYEE, "wie wint het songfestival")  # no entry: goes to digest_to
    await bot.job(DIGEST)
    to_owner = bot.port.texts_to(OWNER.key)
    assert len(to_owner) == 1
    assert "Wekelijkse lijst" in to_owner[0] and "“rooster buitendienst”" in to_owner[0]
    assert "songfestival" not in to_owner[0]
    sent = next(s for s in bot.port.sent if s.target == OWNER.key)
    assert [c.action for c in sent.message.choices] == ["wheres.alias"]
    assert sent.message.choices[0].value.endswith(":werf-rooster")
    to_comms = bot.port.texts_to(COMMS.key)
    assert len(to_comms) == 1 and "songfestival" in to_comms[0]
    # The same slot run again (a retried job) sends nothing twice.
    await bot.job(DIGEST)
    assert len(bot.port.texts_to(OWNER.key)) == 1


async def test_digest_without_gaps_sends_nothing(bot: Bot) -> None:
    await load_sample(bot, owner=OWNER.key)
    await bot.job(DIGEST)
    assert bot.port.sent == []


async def test_old_gaps_leave_the_digest(bot: Bot) -> None:
    await load_sample(bot, owner=OWNER.key)
    await bot.dm(EMPLOYEE, "wie wint het songfestival")
    bot.clock.advance(timedelta(days=9))
    await bot.job(DIGEST)
    assert bot.port.sent == []


async def test_review_reminders_once_per_interval(bot: Bot) -> None:
    await load_sample(bot, owner=OWNER.key)
    await bot.job(REVIEW)
    assert bot.port.sent == []  # just imported: nothing due
    bot.clock.advance(timedelta(days=181))
    await bot.job(REVIEW)
    texts = bot.port.texts_to(OWNER.key)
    assert len(texts) == 1 and "`salaris`" in texts[0] and "`wifi`" in texts[0]
    bot.clock.advance(timedelta(days=1))
    await bot.job(REVIEW)
    assert len(bot.port.texts_to(OWNER.key)) == 1  # not again within review_remind_days
    done = await bot.command(OWNER, "faq", "reviewed salaris")
    assert done is not None and done.message is not None and "gecontroleerd" in done.message.markdown
    bot.clock.advance(timedelta(days=7))
    await bot.job(REVIEW)
    texts = bot.port.texts_to(OWNER.key)
    assert len(texts) == 2 and "`salaris`" not in texts[1] and "`wifi`" in texts[1]


async def test_schedules_are_created_once_on_first_entry(bot: Bot) -> None:
    await bot.command(COMMS, "faq", 'add parkeren --question "Waar parkeer ik?" '
                                    '--answer "In de garage."')
    await bot.command(COMMS, "faq", 'add fiets --question "Waar zet ik mijn fiets?" '
                                    '--answer "In de stalling."')
    kinds = sorted(i.kind for i in await bot.app.scheduler.list(kind_prefix="wheres."))
    assert kinds == [DIGEST, REVIEW]


async def test_digest_deletes_questions_past_retention(bot: Bot) -> None:
    from storage.faq import FaqRepository

    await load_sample(bot, owner=OWNER.key)
    await bot.dm(EMPLOYEE, "wie wint het songfestival")
    repo = bot.app.store.repo(FaqRepository)
    assert await repo.question(1) is not None
    bot.clock.advance(timedelta(days=181))
    await bot.job(DIGEST)
    assert await repo.question(1) is None

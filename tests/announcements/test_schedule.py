"""Send time and recurrence through the scheduler; list with next run; edit, pause, resume
and cancel until sent; embargo ("internal first"); a retried job never posts twice."""

from __future__ import annotations

from datetime import timedelta

from commands.announcements.lifecycle import POST
from tests.announcements.conftest import Driver, slack, text_of


async def compose(fake: Driver, extra: str, *, confirm: bool = True) -> str:
    reply = await fake.command(f'new --title "Weekstart" --body "Goedemorgen." --to slack:C1 {extra}')
    text = text_of(reply)
    if confirm:
        text = text_of(await fake.press("announcements.confirm", "1"))
    return text


async def test_once_at_a_time_goes_out_then(fake: Driver) -> None:
    assert "Ingepland: eenmalig op" in await compose(fake, '--at "vandaag 10:00"')
    listing = text_of(await fake.command("list"))
    assert "#1 **Weekstart** (ingepland)" in listing and "volgende keer: 23-11-2026 10:00" in listing
    await fake.advance(timedelta(minutes=55))
    assert fake.texts_to(slack("C1")) == []
    await fake.advance(timedelta(minutes=10))
    assert fake.texts_to(slack("C1")) == ["Goedemorgen."]
    ann = await fake.repo().get(1)
    assert ann is not None and ann.state == "sent"


async def test_recurrence_every_monday(fake: Driver) -> None:
    text = await compose(fake, '--at "elke maandag 9:30"')
    assert "elke maandag om 09:30" in text and "23-11-2026 09:30" in text
    await fake.advance(timedelta(minutes=35))
    assert len(fake.texts_to(slack("C1"))) == 1
    assert "volgende keer: 30-11-2026 09:30" in text_of(await fake.command("list"))
    fake.clock.advance(timedelta(days=6, hours=23, minutes=50))
    await fake.advance(timedelta(minutes=10))
    assert len(fake.texts_to(slack("C1"))) == 2
    ann = await fake.repo().get(1)
    assert ann is not None and ann.state == "scheduled"
    assert len(await fake.repo().runs(1)) == 2


async def test_a_retried_job_never_posts_twice(fake: Driver) -> None:
    await compose(fake, '--at "elke dag 9:30"')
    payload = {"id": 1, "_schedule": {"id": 1, "slot": "2026-11-23T08:30:00+00:00", "run": 1}}
    await fake.app.run_job(POST, payload)
    await fake.app.run_job(POST, payload)  # the scheduler's retry after a crash
    await fake.app.outbox.drain()
    assert len(fake.texts_to(slack("C1"))) == 1
    assert len(await fake.repo().runs(1)) == 1


async def test_now_posts_once_even_if_the_job_runs_again(fake: Driver) -> None:
    await compose(fake, "")
    await fake.app.run_job(POST, {"id": 1})
    await fake.app.outbox.drain()
    assert len(fake.texts_to(slack("C1"))) == 1


async def test_pause_and_resume(fake: Driver) -> None:
    await compose(fake, '--at "vandaag 10:00"')
    assert "gepauzeerd" in text_of(await fake.command("pause 1"))
    await fake.advance(timedelta(hours=1, minutes=5))
    assert fake.texts_to(slack("C1")) == []
    assert "(gepauzeerd)" in text_of(await fake.command("list"))
    assert "loopt weer" in text_of(await fake.command("resume 1"))
    await fake.advance(timedelta(minutes=5))
    assert fake.texts_to(slack("C1")) == ["Goedemorgen."]
    assert "niet gepauzeerd" in text_of(await fake.command("resume 1"))


async def test_cancel_until_sent(fake: Driver) -> None:
    await compose(fake, '--at "vandaag 10:00"')
    assert "is geannuleerd" in text_of(await fake.command("cancel 1"))
    await fake.advance(timedelta(hours=1, minutes=5))
    assert fake.texts_to(slack("C1")) == []
    assert "kan niet meer" in text_of(await fake.command("cancel 1"))
    await fake.command('new --title "Nu" --body "x" --to slack:C2')
    await fake.press("announcements.confirm", "2")
    assert "kan niet meer" in text_of(await fake.command("cancel 2"))
    assert "kan niet meer" in text_of(await fake.command("edit 2 --title Later"))


async def test_edit_goes_back_to_preview_and_replaces_the_schedule(fake: Driver) -> None:
    await compose(fake, '--at "vandaag 10:00"')
    reply = await fake.command('edit 1 --title "Weekstart (gewijzigd)" --at "vandaag 11:00"')
    assert "Voorbeeld van aankondiging #1" in text_of(reply)
    assert "Weekstart (gewijzigd)" in text_of(reply) and "Goedemorgen." in text_of(reply)
    await fake.advance(timedelta(hours=1, minutes=5))
    assert fake.texts_to(slack("C1")) == []  # the old slot is gone; the edit is a draft
    await fake.press("announcements.confirm", "1")
    await fake.advance(timedelta(hours=1))
    sent = [s for s in fake.port.sent if s.target == str(slack("C1"))]
    assert len(sent) == 1 and sent[0].message.title == "Weekstart (gewijzigd)"


async def test_embargo_refuses_a_send_time_too_close_with_the_reason(fake: Driver) -> None:
    late = await compose(fake, '--at "vandaag 10:00" --embargo "vandaag 10:10"', confirm=False)
    assert "het embargo is 23-11-2026 10:10" in late and "uiterlijk 23-11-2026 09:55" in late
    assert "15 minuten eerder" in late
    assert await fake.repo().open() == []
    now_late = await compose(fake, '--embargo "vandaag 09:10"', confirm=False)
    assert "Dit kan niet" in now_late
    ok = await compose(fake, '--at "vandaag 10:00" --embargo "vandaag 10:30"')
    assert "Ingepland" in ok
    assert "Embargo: 23-11-2026 10:30" in text_of(await fake.command("show 1"))


async def test_embargo_checked_again_when_approval_comes_late(fake: Driver) -> None:
    from tests.announcements.conftest import BRAM

    await fake.command("audience add pers slack:C1 --four-eyes")
    await fake.command('new --title "Persbericht" --body "x" --audience pers --embargo "vandaag 10:00"')
    await fake.press("announcements.confirm", "1")
    fake.clock.advance(timedelta(minutes=50))  # 09:50: later than 10:00 minus 15 minutes
    reply = await fake.press("announcements.approve", "1", user=BRAM)
    assert "Dit kan niet" in text_of(reply)
    assert fake.texts_to(slack("C1")) == []


async def test_a_late_resume_cannot_break_the_embargo(fake: Driver) -> None:
    await compose(fake, '--at "vandaag 10:00" --embargo "vandaag 11:00"')
    await fake.command("pause 1")
    await fake.advance(timedelta(hours=1, minutes=50))  # 10:50
    assert "Dit kan niet" in text_of(await fake.command("resume 1"))
    assert fake.texts_to(slack("C1")) == []


async def test_the_author_hears_when_the_send_slot_was_missed(fake: Driver) -> None:
    """Issue 18 #9: the schedule's owner is "announcement:1", not a person; the author is
    stored as the one to tell, and is told."""
    from tests.announcements.conftest import ANNA

    await compose(fake, '--at "vandaag 10:00"')
    fake.clock.set(fake.clock.now() + timedelta(hours=12))  # down past the missed-slot window
    assert (await fake.app.scheduler.run_due()).missed >= 1  # standing jobs may miss too
    await fake.app.outbox.drain()
    assert fake.texts_to(slack("C1")) == []
    [told] = fake.texts_to(ANNA)
    assert "niet uitgevoerd" in told and "announcements.post" in told

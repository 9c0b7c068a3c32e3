"""Acknowledgement: a Gelezen button on every copy, each person counts once, a reminder DM at
most once a day to members who have not read it after the due date, the per-person view."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from commands.announcements.lifecycle import REMIND

COMPOSE = ('@anna\n#algemeen\n/hartslag aankondiging nieuw --titel "Nieuw rooster" --tekst '
           '"Lees dit." --naar local:#demo --gelezen "vandaag 11:00"\npress 1\n')


def reminders(transcript: str) -> list[str]:
    lines = transcript.splitlines()
    return [lines[i].split("]")[0].removeprefix("[dm ") for i in range(len(lines) - 1)
            if lines[i].startswith("[dm ") and "Herinnering" in lines[i + 1]]


async def test_each_person_counts_once(chat: Any, app: Any) -> None:
    out = await chat.run(COMPOSE)
    assert "[1] Gelezen" in out and "graag vóór 23-11-2026 11:00" in out
    out = await chat.run("@mila\n#demo\npress 1\npress 1")
    assert "genoteerd dat je \"Nieuw rooster\" gelezen hebt" in out
    assert "al als gelezen gemarkeerd; het telt één keer" in out
    from storage.announcements import AnnouncementRepository

    acks = await app.store.repo(AnnouncementRepository).acks(1)
    assert [a.user_key for a in acks] == ["local:mila"]


async def test_reminders_once_a_day_to_members_who_did_not_read(chat: Any, app: Any) -> None:
    await chat.run(COMPOSE)
    await chat.run("@mila\n#demo\npress 1")
    await chat.advance(timedelta(hours=1, minutes=55))  # 10:55: not due yet
    assert reminders(chat.transcript) == []
    await chat.advance(timedelta(minutes=10))
    first = reminders(chat.transcript)
    assert sorted(first) == ["daan", "joost", "lisa", "noor", "omar", "sara"]  # minus mila
    # The reminder carries the announcement itself, not only its title.
    reminder = chat.transcript.rsplit("Herinnering", 1)[-1]
    assert "> **Nieuw rooster**" in reminder and "> Lees dit." in reminder
    await app.run_job(REMIND, {"id": 1})  # the same day again: nothing new
    await app.outbox.drain()
    assert len(reminders(chat.transcript)) == 6
    await chat.run("@joost\ndm\npress 1")  # read from the reminder itself
    assert "genoteerd" in chat.transcript.splitlines()[-1]
    chat.clock.advance(timedelta(hours=23, minutes=50))
    await chat.advance(timedelta(minutes=10))
    second = reminders(chat.transcript)[6:]
    assert sorted(second) == ["daan", "lisa", "noor", "omar", "sara"]


async def test_reminders_stop_after_the_maximum(chat: Any, app: Any) -> None:
    await chat.run(COMPOSE)
    await chat.advance(timedelta(hours=2, minutes=5))
    for _ in range(4):
        chat.clock.advance(timedelta(hours=23, minutes=55))
        await chat.advance(timedelta(minutes=5))
    per_person = [name for name in reminders(chat.transcript) if name == "lisa"]
    assert len(per_person) == 3  # [announcements] max_reminders = 3


async def test_readers_view_for_the_author(chat: Any) -> None:
    await chat.run(COMPOSE + "@sara\n#demo\npress 1")
    out = await chat.run("@anna\n#algemeen\n/hartslag aankondiging lezers 1")
    assert "1 gelezen, 6 nog niet, 0 te laat" in out and "- sara (23-11-2026 09:00)" in out
    await chat.advance(timedelta(hours=2, minutes=5))
    out = await chat.run("@anna\n/hartslag aankondiging lezers 1")
    assert "1 gelezen, 0 nog niet, 6 te laat" in out
    assert "**Te laat (niet gelezen na de datum)**" in out and "- omar" in out


async def test_no_member_list_means_no_reminders_and_says_so(fake: Any) -> None:
    from tests.announcements.conftest import ANNA, KEES, slack, text_of

    await fake.command('new --title "x" --body "y" --to slack:C1 --ack "vandaag 10:00"')
    await fake.press("announcements.confirm", "1")
    await fake.press("announcements.ack", "1", user=KEES, where=slack("C1"))
    await fake.advance(timedelta(hours=1, minutes=10))
    assert [s.target for s in fake.port.sent if s.target.startswith("slack:U")] == [ANNA.key]
    view = text_of(await fake.command("readers 1"))
    assert "1 gelezen" in view and "- Kees" in view and "geeft het platform geen ledenlijst" in view

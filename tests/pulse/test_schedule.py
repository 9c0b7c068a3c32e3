"""Recurrence, closing, reminders (to everyone, or with the opt-in ledger to non-respondents
only) and the destruction of round keys, driven by the scheduler on a fake clock."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bots.config import Config
from storage.pulse import PulseRepository
from tests.pulse.conftest import (
    FULL,
    NOORD,
    ZORG,
    all_rows,
    answer_script,
    delivered,
    jump,
    pulse_config,
)

RECURRING = ('/hartslag pulse create --confirm "Tweewekelijks" --team zorg --when "om de week maandag '
             '10:00" --duration 3d --reminder off --q1 "likert: Het gaat goed"')


async def test_every_two_weeks_opens_rounds_and_closes_each(chat: Any, app: Any) -> None:
    out = await chat.run("@anna\ndm\n" + RECURRING)
    assert "om de 2 weken op maandag om 10:00" in out
    await jump(app, chat.clock, timedelta(hours=2))
    await delivered(app, "pulse:1:1:open")
    await chat.run(answer_script("z1", ["4"]))
    await jump(app, chat.clock, timedelta(days=17))
    await delivered(app, "pulse:1:2:open")
    rounds = await app.store.repo(PulseRepository).rounds(1)
    assert [(r.number, r.state) for r in rounds] == [(2, "closed"), (1, "closed")]
    first, second = rounds[1], rounds[0]
    assert second.opened_at - first.opened_at == timedelta(days=14)
    assert first.closed_at is not None and first.closed_at - first.opened_at == timedelta(days=3)
    await delivered(app, "pulse:1:1:results")
    assert (await app.outbox.report("pulse:1:1:results")).sent == 1  # the author's DM
    out = await chat.run("@anna\ndm\n/hartslag pulse results 1 1")
    assert "Te weinig reacties" in out  # 1 respondent < k


async def test_monthly_and_once_later_are_accepted(chat: Any) -> None:
    out = await chat.run('@anna\ndm\n/hartslag pulse create --confirm "M" --team ict --when '
                         '"maandelijks 1 9:00" --duration 2d --q1 "enps: Aanraden?"')
    assert "elke maand op de 1e om 09:00" in out
    out = await chat.run('/hartslag pulse create --confirm "O" --team ict --when "morgen 9:00" '
                         '--q1 "enps: Aanraden?"')
    assert "eenmalig op di 24 nov 2026 09:00" in out


async def test_default_reminder_goes_to_everyone_without_a_ledger(chat: Any, app: Any) -> None:
    await chat.run('@anna\ndm\n/hartslag pulse create --confirm "R" --team zorg --duration 2d '
                   '--q1 "likert: Het gaat goed"')
    await delivered(app, "pulse:1:1:open")
    await chat.run(answer_script("z1", ["4"]))
    await jump(app, chat.clock, timedelta(hours=25))
    await delivered(app, "pulse:1:1:remind")
    report = await app.outbox.report("pulse:1:1:remind")
    assert report.total == len(ZORG) + len(NOORD)  # everyone, also z1 who answered
    rows = await all_rows(app)
    assert rows["pulse_participation"] == []


@pytest.fixture
def config(db_url: str, tmp_path: Path) -> Config:
    return pulse_config(db_url, tmp_path, allow_ledger=True, key_days=1)


async def test_opt_in_ledger_reminds_only_non_respondents_and_is_deleted_at_close(
        chat: Any, app: Any) -> None:
    await chat.run('@anna\ndm\n/hartslag pulse create --confirm "R" --team zorg --duration 2d '
                   '--remind-only-missing --q1 "likert: Het gaat goed"')
    await delivered(app, "pulse:1:1:open")
    for person in ZORG[:3]:
        await chat.run(answer_script(person, ["4"]))
    rows = await all_rows(app)
    assert len(rows["pulse_participation"]) == 3
    ledger_keys = {r[1] for r in rows["pulse_participation"]}
    assert not ledger_keys & {r[1] for r in rows["pulse_answer"]}  # a different HMAC
    await jump(app, chat.clock, timedelta(hours=25))
    await delivered(app, "pulse:1:1:remind")
    report = await app.outbox.report("pulse:1:1:remind")
    assert sorted(item.target for item in report.items) == sorted(
        f"local:{p}" for p in [*ZORG[3:], *NOORD])
    await jump(app, chat.clock, timedelta(days=1))
    assert (await all_rows(app))["pulse_participation"] == []


async def test_the_round_key_is_destroyed_after_key_days(chat: Any, app: Any) -> None:
    await chat.run('@anna\ndm\n/hartslag pulse create --confirm "F" --team zorg --duration 1d '
                   '--reminder off --q1 "likert: Het gaat goed"')
    await delivered(app, "pulse:1:1:open")
    for person in ZORG[:5]:
        await chat.run(answer_script(person, [*FULL[:1]]))
    before = {r[1] for r in (await all_rows(app))["pulse_answer"]}
    await jump(app, chat.clock, timedelta(days=2, hours=1))
    rows = await all_rows(app)
    after = {r[1] for r in rows["pulse_answer"]}
    assert len(after) == 5 and not before & after and all(k.startswith("x") for k in after)
    round_row = (await app.store.repo(PulseRepository).rounds(1))[0]
    assert round_row.key_salt is None and round_row.forgotten_at is not None
    out = await chat.run("@anna\ndm\n/hartslag pulse results 1")
    assert "Deelname: 5 van 9" in out  # results survive the key


async def test_list_show_and_stop_a_recurring_pulse(chat: Any, app: Any) -> None:
    await chat.run("@anna\ndm\n" + RECURRING)
    await jump(app, chat.clock, timedelta(hours=2))
    await delivered(app, "pulse:1:1:open")
    await chat.run(answer_script("z1", ["4"]))
    out = await chat.run("@anna\ndm\n/hartslag pulse list\n/hartslag pulse show 1")
    assert "- 1: Tweewekelijks (zorg, open)" in out and "`peiling sluit 1`" in out
    assert "Ronde 1 is open tot" in out and "Tot nu toe" not in out  # no live count
    out = await chat.run("/hartslag pulse stop 1")
    assert "gestopt" in out
    await jump(app, chat.clock, timedelta(days=15))
    rounds = await app.store.repo(PulseRepository).rounds(1)
    assert [(r.number, r.state) for r in rounds] == [(1, "closed")]
    out = await chat.run("@anna\ndm\n/hartslag pulse list")
    assert "(zorg, gestopt)" in out and "`peiling resultaten 1`" in out
    out = await chat.run("@z2\ndm\n/hartslag pulse list")
    assert "rol communicatie" in out  # an employee manages no pulses


async def test_a_named_live_pulse_may_show_counts_while_open(chat: Any, app: Any) -> None:
    await chat.run('@anna\ndm\n/hartslag pulse create --confirm "L" --team zorg --named --live '
                   '--reminder off --q1 "single: Pizza? | ja | nee"')
    await delivered(app, "pulse:1:1:open")
    await chat.run(answer_script("z1", ["1"]))
    out = await chat.run("@anna\ndm\n/hartslag pulse show 1\n/hartslag pulse results 1 --names")
    assert "Tot nu toe 1 persoon." in out and "`local:z1`: ja" in out


async def test_the_daily_sweep_closes_and_forgets_when_jobs_were_missed(chat: Any,
                                                                         app: Any) -> None:
    await chat.run('@anna\ndm\n/hartslag pulse create --confirm "S" --team zorg --duration 1d '
                   '--reminder off --q1 "likert: Het gaat goed"')
    await delivered(app, "pulse:1:1:open")
    for info in await app.scheduler.list(kind_prefix="pulse.close"):
        await app.scheduler.cancel(info.id)  # as if the close slot was missed
    await jump(app, chat.clock, timedelta(days=2))
    row = (await app.store.repo(PulseRepository).rounds(1))[0]
    assert row.state == "closed" and row.forgotten_at is None
    for info in await app.scheduler.list(kind_prefix="pulse.forget"):
        await app.scheduler.cancel(info.id)
    await jump(app, chat.clock, timedelta(days=2))
    row = (await app.store.repo(PulseRepository).rounds(1))[0]
    assert row.key_salt is None and row.forgotten_at is not None


async def test_the_author_hears_when_the_opening_slot_was_missed(chat: Any, app: Any) -> None:
    """Issue 18 #9: a pulse's schedule belongs to "pulse:1"; its author is the one told."""
    await chat.run("@anna\ndm\n" + RECURRING)
    start = len(chat.transcript)
    chat.clock.set(chat.clock.now() + timedelta(days=4))  # past Monday 10:00 and its window
    assert (await app.scheduler.run_due()).missed >= 1  # standing jobs may miss too
    await app.outbox.drain()
    told = chat.transcript[start:]
    assert told.count("niet uitgevoerd") == 1 and "pulse.open" in told and "anna" in told

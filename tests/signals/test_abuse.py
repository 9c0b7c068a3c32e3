"""Rate limit through a keyed hash per period, and blocking a case's sender without learning
who it is."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.signals.conftest import all_rows, code_and_ref, find_identifiers

SEND = "/hartslag signaal\ngeen\ngeen\n{text}\nja\n"


async def send(chat: Any, person: str, text: str) -> str:
    return await chat.run(f"@{person}\ndm\n" + SEND.format(text=text))


async def test_rate_limit_per_person_per_period(chat: Any, app: Any, clock: Any) -> None:
    for n in range(3):
        await code_and_ref(app, await send(chat, "joost", f"Signaal nummer {n} van vandaag."))
    out = await send(chat, "joost", "Het vierde signaal, te veel.")
    assert "al 3 signalen gestuurd" in out and "niets opgeslagen" in out
    rows = await all_rows(app)
    assert len(rows["signal_case"]) == 3
    assert all("vierde" not in repr(r) for r in rows["signal_case"])
    # Another person is not affected; the counter holds a keyed hash, not a name.
    await code_and_ref(app, await send(chat, "sara", "Een ander persoon mag gewoon."))
    rows = await all_rows(app)
    assert sorted(r[2] for r in rows["signal_rate"]) == [1, 3]
    assert find_identifiers(repr(rows["signal_rate"]), ["joost", "sara"]) == []
    # A new period (7 days) starts a new count; the purge drops the old counters.
    clock.advance(timedelta(days=7))
    await code_and_ref(app, await send(chat, "joost", "Een nieuwe week, een nieuw signaal."))
    await app.run_job("signals.purge", {})
    rows = await all_rows(app)
    assert [r[2] for r in rows["signal_rate"]] == [1]


async def test_block_a_cases_sender_for_n_days(chat: Any, app: Any, clock: Any) -> None:
    _, ref = await code_and_ref(app, await send(chat, "joost", "Iets wat het team als misbruik ziet."))
    out = await chat.run(f"@tess\ndm\n/hartslag signaal blokkeer {ref} 10\n")
    assert "tot en met 2026-12-02" in out
    assert find_identifiers(out, ["joost"]) == []
    rows = await all_rows(app)
    (block,) = rows["signal_block"]
    assert ref not in repr(block) and find_identifiers(repr(block), ["joost"]) == []

    out = await chat.run("@joost\ndm\n/hartslag signaal\n")
    assert "tijdelijk geen signalen" in out
    out = await send(chat, "sara", "Sara is niet geblokkeerd.")
    await code_and_ref(app, out)
    clock.advance(timedelta(days=10))
    await code_and_ref(app, await send(chat, "joost", "Na tien dagen mag het weer."))
    await app.run_job("signals.purge", {})
    assert (await all_rows(app))["signal_block"] == []


async def test_blocking_needs_a_relay_and_the_role(chat: Any, app: Any) -> None:
    out = await chat.run("@sara\ndm\n/hartslag signaal\ngeen\ngeen\nZonder antwoord graag.\n"
                         "ja zonder antwoord\n")
    _, ref = await code_and_ref(app, out)
    out = await chat.run(f"@tess\ndm\n/hartslag signaal blokkeer {ref} 5\n"
                         f"/hartslag signaal blokkeer {ref} duizend\n")
    assert "blokkeren kan niet" in out and "`duizend` is geen aantal dagen. Kies 1 tot 365" in out
    out = await chat.run(f"@joost\ndm\n/hartslag signaal blokkeer {ref} 5\n")
    assert "rol signalen-team" in out

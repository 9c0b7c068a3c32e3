"""The embedded demo's past (bots/demo, issue 20 #1): on a fresh demo every feature shows its
result on the first try, without storing who sent the anonymous signal or who answered the
pulse, and seeding again (a restart) adds nothing."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from bots.chat import settle
from bots.demo import seed
from bots.demo.history import SIGNAL_REF, seed_history
from tests.support.chat import ChatDriver


@pytest.fixture
async def demo(app: Any, chat: ChatDriver) -> ChatDriver:
    """``chat`` as ``hartslag chat`` starts the embedded demo: seeded, its post sent."""
    await seed(app.context())
    await settle(app)
    return chat


async def _as(chat: ChatDriver, person: str, line: str) -> str:
    await chat.run(f"@{person}\ndm\n")
    return await chat.run(f"{line}\n")


async def _rows(app: Any) -> dict[str, int]:
    """Rows per table: what a second seed must leave as it was."""
    async with app.db.session(readonly=True) as session:
        conn = await session.connection()
        names = await conn.run_sync(lambda sync: sa.inspect(sync).get_table_names())
        return {name: int((await conn.execute(sa.text(f'SELECT count(*) FROM "{name}"')))
                          .scalar_one()) for name in names}


async def _dump(app: Any, prefix: str) -> str:
    """Every value of the tables whose names start with ``prefix``, as one text."""
    rows = await _rows(app)
    found = []
    async with app.db.session(readonly=True) as session:
        conn = await session.connection()
        for name in sorted(n for n in rows if n.startswith(prefix)):
            for row in await conn.execute(sa.text(f'SELECT * FROM "{name}"')):
                found.append(" ".join(str(value) for value in row))
    return "\n".join(found)


async def test_the_manager_gets_a_summary_with_a_trend(demo: ChatDriver) -> None:
    out = await _as(demo, "mila", "samenvatting demo")
    assert "Deelname: 6 van 6" in out and "Te weinig" not in out
    assert "Gemiddeld **4.2** (6 antwoorden) ↑ +0.8 t.o.v. vorige ronde" in out
    assert "Verloop over de laatste 3 rondes" in out
    assert "Ik kan mijn werk goed doen: 2.8 → 3.3 → 4.2" in out
    assert "-demo.png]" in out  # the chart of the trend, as the local chat shows an image


async def test_comms_gets_a_reach_report_and_the_readers(demo: ChatDriver) -> None:
    reach = await _as(demo, "anna", "aankondiging bereik 1")
    assert "**Bereik van aankondiging #1**" in reach
    line = next(row for row in reach.splitlines() if row.strip().startswith("local:#algemeen"))
    assert line.split()[1:] == ["1", "0", "0", "6", "10", "60%", "onbekend"], line
    readers = await _as(demo, "anna", "aankondiging lezers 1")
    assert "6 gelezen, 4 nog niet" in readers


async def test_the_announcement_of_the_past_was_posted_in_algemeen(demo: ChatDriver) -> None:
    assert "[#algemeen] hartslag #1:\n    **Nieuw rooster**" in demo.transcript


async def test_triage_finds_the_signal_and_its_answer(demo: ChatDriver) -> None:
    inbox = await _as(demo, "tess", "signaal inbox")
    assert f"`{SIGNAL_REF}`" in inbox and "beantwoord" in inbox
    assert "De werkdruk in ons team is al weken te hoog" in inbox
    case = await _as(demo, "tess", f"signaal dossier {SIGNAL_REF}")
    assert "**Antwoord van het signalenteam**" in case and "sara" not in case
    # The way back works: the answer reaches the sender through the sealed relay.
    answered = await _as(demo, "tess", f"signaal beantwoord {SIGNAL_REF} We pakken het op.")
    assert "[dm sara] hartslag" in answered and "bezorgd" in answered


async def test_the_seed_stores_no_sender_and_no_respondent(app: Any, demo: ChatDriver) -> None:
    signals = await _dump(app, "signal")
    assert SIGNAL_REF in signals  # the dump does read the case
    assert "sara" not in signals and "local:" not in signals.replace("local:tess", "")
    answers = await _dump(app, "pulse_answer")
    assert answers.count("\n") >= 30 and "local:" not in answers


async def test_other_features_show_their_result(demo: ChatDriver) -> None:
    assert "Je krijgt meldingen **direct**" in await _as(demo, "joost", "meldingen toon")
    gaps = await _as(demo, "anna", "faq hiaten")
    assert "parkeervergunning" in gaps
    assert "staat niet meer op de lijst" in await _as(demo, "anna", "faq negeer 1")
    assert "Ronde 1: 6 deelnemers, 3 groepen" in await _as(demo, "anna", "verbinden cijfers 1")
    listed = await _as(demo, "bram", "aankondiging lijst")
    for state in ("(verstuurd)", "(ingepland)", "(gepauzeerd)", "(wacht op goedkeuring)"):
        assert state in listed


async def test_seeding_again_adds_nothing(app: Any, demo: ChatDriver) -> None:
    before = await _rows(app)
    assert before["pulse_round"] == 3 and before["announcement"] == 4
    # The seed waits for the entry vectors it started: none is written after it returns.
    assert before["faq_vector"] == before["faq_entry"] > 0
    assert await seed(app.context()) == 0
    assert set((await seed_history(app.context())).values()) == {0}
    await settle(app)
    assert await _rows(app) == before


# The first start of the demo seeds its past (about 140 rows) with about 510 SQL statements
# (transactions, the scheduler's due-job queries and the rows). The bound catches a seed that
# starts writing row by row or querying per person. Counted, not timed: a timed test fails on
# a busy machine and says nothing about why (speed lives in benchmarks/).
SEED_STATEMENTS = 750


async def test_the_seed_runs_a_bounded_number_of_statements(app: Any) -> None:
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(str(args[2]))

    sa.event.listen(app.db.engine.sync_engine, "before_cursor_execute", count)
    try:
        await seed(app.context())
        await settle(app)
    finally:
        sa.event.remove(app.db.engine.sync_engine, "before_cursor_execute", count)
    assert sum((await _rows(app)).values()) >= 100  # the past is there
    assert len(statements) <= SEED_STATEMENTS, (
        f"the demo seed ran {len(statements)} SQL statements (bound {SEED_STATEMENTS})")

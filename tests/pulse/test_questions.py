"""Question lines, stored answer values and the chart helpers."""

from __future__ import annotations

import struct

import pytest

from commands.charts import PNG_SIGNATURE, Line, bars_png, render_trend
from commands.pulse.questions import (
    Question,
    QuestionError,
    dump_questions,
    load_questions,
    parse_question,
    parse_questions,
)
from commands.pulse.results import question_result


@pytest.mark.parametrize("line, kind, options", [
    ("likert: Ik kan mijn werk goed doen", "likert", ()),
    ("schaal: Tevreden?", "likert", ()),
    ("enps: Aanraden?", "enps", ()),
    ("single: Werkdruk? | laag | goed | hoog", "single", ("laag", "goed", "hoog")),
    ("meerkeuze: Wat helpt? | rust | overleg", "multi", ("rust", "overleg")),
    ("tekst: Nog iets?", "text", ()),
])
def test_each_kind_parses(line: str, kind: str, options: tuple[str, ...]) -> None:
    question = parse_question(line)
    assert (question.kind, question.options) == (kind, options)
    assert load_questions(dump_questions([question])) == [question]


@pytest.mark.parametrize("line, key", [
    ("waarom: x", "q.bad_kind"), ("likert:", "q.empty"), ("single: a | b", "q.options"),
    ("multi: a | b | b", "q.bad_option"), ("likert: a | b", "q.no_options"),
    ("likert: " + "x" * 301, "q.too_long"),
])
def test_bad_lines_name_the_problem(line: str, key: str) -> None:
    with pytest.raises(QuestionError) as info:
        parse_question(line)
    assert info.value.key == key


def test_a_pulse_has_one_to_max_questions_and_one_text_at_most() -> None:
    with pytest.raises(QuestionError, match=r"q\.none"):
        parse_questions([], maximum=5)
    with pytest.raises(QuestionError, match=r"q\.too_many"):
        parse_questions(["likert: a"] * 6, maximum=5)
    with pytest.raises(QuestionError, match=r"q\.one_text"):
        parse_questions(["text: a", "open: b"], maximum=5)


def test_stored_values_and_labels() -> None:
    likert, enps = Question("likert", "a"), Question("enps", "b")
    multi = Question("multi", "c", ("x", "y", "z"))
    assert likert.normalise("5") == "5" and likert.normalise("6") is None
    assert enps.normalise("0") == "0" and enps.normalise("11") is None
    assert multi.normalise("2, 0,2") == "0,2" and multi.normalise("3") is None
    assert likert.label("1", "en") == "1 Strongly disagree"
    assert likert.label("5", "nl") == "5 Helemaal eens"


def test_means_distributions_and_enps() -> None:
    result = question_result(0, Question("enps", "b"), ["10", "9", "8", "6", "0"])
    assert result.mean == pytest.approx(6.6) and result.enps == pytest.approx(0.0)
    multi = question_result(1, Question("multi", "c", ("x", "y")), ["0,1", "1"])
    assert multi.counts == {"0": 1, "1": 2} and multi.share("1") == 1.0


def _png_size(png: bytes) -> tuple[int, int]:
    assert png.startswith(PNG_SIGNATURE) and png[12:16] == b"IHDR"
    width, height = struct.unpack(">II", png[16:24])
    return width, height


async def test_charts_are_valid_pngs() -> None:
    png = await render_trend(["1", "2", "3"], [Line("a", [3.0, None, 4.5])], title="t",
                             y_range=(1, 5))
    width, height = _png_size(png)
    assert width > 300 and height > 200
    assert _png_size(bars_png({"ja": 3, "nee": 1}, title="x"))[0] > 100

"""Question kinds of a pulse and how their answers are written down.

Kinds: ``single`` (one option), ``multi`` (several options), ``likert`` (1-5 agreement),
``enps`` (0-10, "would you recommend"), ``text`` (free text, at most one per pulse).

Stored values (``pulse_answer.value``): single -> option index ``"2"``; multi -> sorted
indexes ``"0,3"``; likert ``"1"``..``"5"``; enps ``"0"``..``"10"``. Free text goes to
``pulse_comment`` instead.

A question is written on one line: ``kind: question text | option | option``, e.g.
``likert: Ik kan mijn werk goed doen`` or ``single: Werkdruk? | te laag | goed | te hoog``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Literal

from commands.i18n import Catalog

Kind = Literal["single", "multi", "likert", "enps", "text"]

KIND_WORDS: dict[str, Kind] = {
    "single": "single", "keuze": "single", "enkel": "single", "choice": "single",
    "multi": "multi", "meerkeuze": "multi", "multiple": "multi", "meer": "multi",
    "likert": "likert", "schaal": "likert", "scale": "likert",
    "enps": "enps", "nps": "enps",
    "text": "text", "tekst": "text", "open": "text",
}
MAX_OPTIONS = 10
MAX_QUESTION = 300
MAX_OPTION = 80
MAX_TEXT_ANSWER = 2000

LABELS = Catalog(
    "pulse.labels",
    {
        "nl": {
            "likert.1": "Helemaal oneens", "likert.2": "Oneens", "likert.3": "Neutraal",
            "likert.4": "Eens", "likert.5": "Helemaal eens",
            "enps.low": "0 = zeker niet", "enps.high": "10 = zeker wel",
            "kind.single": "één keuze", "kind.multi": "meerdere keuzes",
            "kind.likert": "schaal 1-5", "kind.enps": "eNPS 0-10", "kind.text": "open vraag",
        },
        "en": {
            "likert.1": "Strongly disagree", "likert.2": "Disagree", "likert.3": "Neutral",
            "likert.4": "Agree", "likert.5": "Strongly agree",
            "enps.low": "0 = not at all likely", "enps.high": "10 = extremely likely",
            "kind.single": "single choice", "kind.multi": "multiple choice",
            "kind.likert": "scale 1-5", "kind.enps": "eNPS 0-10", "kind.text": "open question",
        },
    },
)


class QuestionError(ValueError):
    """A question line that cannot be used; ``key`` and ``values`` name the catalog text."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


@dataclass(frozen=True)
class Question:
    kind: Kind
    text: str
    options: tuple[str, ...] = ()

    def to_json(self) -> dict[str, object]:
        return {"kind": self.kind, "text": self.text, "options": list(self.options)}

    @classmethod
    def from_json(cls, data: dict[str, object]) -> Question:
        options = data.get("options") or []
        assert isinstance(options, list)
        kind = str(data["kind"])
        assert kind in ("single", "multi", "likert", "enps", "text")
        return cls(kind, str(data["text"]), tuple(str(o) for o in options))  # type: ignore[arg-type]

    def choices(self, locale: str) -> list[tuple[str, str]]:
        """(stored value, label) of every possible answer (not for text)."""
        if self.kind == "likert":
            return [(str(i), f"{i} {LABELS.get(locale, f'likert.{i}')}") for i in range(1, 6)]
        if self.kind == "enps":
            return [(str(i), str(i)) for i in range(11)]
        return [(str(i), option) for i, option in enumerate(self.options)]

    def label(self, value: str, locale: str) -> str:
        for stored, label in self.choices(locale):
            if stored == value:
                return label
        return value

    def normalise(self, raw: str) -> str | None:
        """The stored form of an answer, or None when it is not a valid answer."""
        raw = raw.strip()
        if self.kind == "multi":
            parts = [p.strip() for p in raw.split(",") if p.strip()]
            try:
                picked = sorted({int(p) for p in parts})
            except ValueError:
                return None
            if not picked or not all(0 <= p < len(self.options) for p in picked):
                return None
            return ",".join(str(p) for p in picked)
        if self.kind == "text":
            return raw[:MAX_TEXT_ANSWER] if raw else None
        valid = {value for value, _ in self.choices("nl")}
        return raw if raw in valid else None


def parse_question(line: str) -> Question:
    head, sep, rest = line.partition(":")
    kind = KIND_WORDS.get(head.strip().lower())
    if not sep or kind is None:
        raise QuestionError("q.bad_kind", line=line.strip()[:80])
    parts = [p.strip() for p in rest.split("|")]
    text, options = parts[0], tuple(p for p in parts[1:] if p)
    if not text:
        raise QuestionError("q.empty", line=line.strip()[:80])
    if len(text) > MAX_QUESTION:
        raise QuestionError("q.too_long", max=MAX_QUESTION)
    if kind in ("single", "multi"):
        if not 2 <= len(options) <= MAX_OPTIONS:
            raise QuestionError("q.options", max=MAX_OPTIONS, line=text[:80])
        if any(len(o) > MAX_OPTION for o in options) or len(set(options)) != len(options):
            raise QuestionError("q.bad_option", max=MAX_OPTION, line=text[:80])
    elif options:
        raise QuestionError("q.no_options", line=text[:80])
    return Question(kind, text, options)


def parse_questions(lines: list[str], *, maximum: int) -> list[Question]:
    questions = [parse_question(line) for line in lines if line.strip()]
    if not questions:
        raise QuestionError("q.none")
    if len(questions) > maximum:
        raise QuestionError("q.too_many", max=maximum)
    if sum(q.kind == "text" for q in questions) > 1:
        raise QuestionError("q.one_text")
    return questions


def dump_questions(questions: list[Question]) -> str:
    return json.dumps([q.to_json() for q in questions], ensure_ascii=False)


def load_questions(text: str) -> list[Question]:
    return [Question.from_json(item) for item in json.loads(text)]

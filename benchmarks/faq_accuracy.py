"""Accuracy and abstention of the FAQ matcher on a knowledge base and a question set.

The question set is a TSV with ``expect`` (an entry id, or ``-`` for a question the bot must
not answer) and ``question``, like ``docs/faq/sample-questions.tsv``. Prints one JSON line:
top-1 accuracy on answerable questions, how many of those it abstained on or got wrong, how
many out-of-scope questions it answered anyway, and a reference measured in the same run (a
plain rapidfuzz WRatio match over question + keywords with a cut-off) with the ratio.

    .venv/bin/python -m benchmarks.faq_accuracy [--kb FILE] [--questions FILE] [--errors]
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Callable
from pathlib import Path

from rapidfuzz import fuzz, process

from commands.wheres.entry import Entry
from commands.wheres.index import FaqIndex
from commands.wheres.kbfile import parse_file

SAMPLES = Path(__file__).resolve().parents[1] / "docs" / "faq"
REFERENCE_CUTOFF = 70.0


def load_questions(path: Path) -> list[tuple[str, str]]:
    rows = csv.DictReader(path.read_text(encoding="utf-8").splitlines(), delimiter="\t")
    return [(row["expect"].strip(), row["question"]) for row in rows if row.get("question")]


def reference(entries: list[Entry]) -> Callable[[str], str | None]:
    """The naive matcher: fuzzy string similarity to an entry's question and keywords."""
    texts = {e.id: " ".join((e.question, *e.keywords, *e.aliases)) for e in entries}

    def match(question: str) -> str | None:
        found = process.extractOne(question, texts, scorer=fuzz.WRatio,
                                   score_cutoff=REFERENCE_CUTOFF)
        return str(found[2]) if found else None

    return match


def score(match: Callable[[str], str | None], questions: list[tuple[str, str]]) -> dict[str, float]:
    answerable = [(e, q) for e, q in questions if e != "-"]
    out_of_scope = [q for e, q in questions if e == "-"]
    got = [(e, match(q)) for e, q in answerable]
    correct = sum(e == g for e, g in got)
    return {
        "accuracy": round(correct / len(answerable), 4) if answerable else 0.0,
        "answerable": len(answerable),
        "correct": correct,
        "abstained": sum(g is None for _, g in got),
        "wrong": sum(g is not None and g != e for e, g in got),
        "out_of_scope": len(out_of_scope),
        "out_of_scope_answered": sum(match(q) is not None for q in out_of_scope),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--kb", type=Path, default=SAMPLES / "sample-kb.yaml")
    parser.add_argument("--questions", type=Path, default=SAMPLES / "sample-questions.tsv")
    parser.add_argument("--errors", action="store_true", help="list misses on stderr")
    args = parser.parse_args()
    parsed = parse_file(args.kb.name, args.kb.read_text(encoding="utf-8"))
    index = FaqIndex()
    index.put_many(parsed.entries)
    questions = load_questions(args.questions)
    ours = score(lambda q: index.match(q).entry_id, questions)
    naive = score(reference(parsed.entries), questions)
    if args.errors:
        for expect, question in questions:
            found = index.match(question)
            if (found.entry_id or "-") != expect:
                print(f"{expect}\t{found.entry_id}\t{found.score}\t{question}", file=sys.stderr)
    print(json.dumps({
        "benchmark": "faq_accuracy",
        "kb": args.kb.name,
        "questions": args.questions.name,
        **ours,
        "target_accuracy": 0.90,
        "within_target": ours["accuracy"] >= 0.90 and ours["out_of_scope_answered"] == 0,
        "reference": f"rapidfuzz WRatio over question+keywords, cutoff {REFERENCE_CUTOFF}",
        "reference_accuracy": naive["accuracy"],
        "reference_out_of_scope_answered": naive["out_of_scope_answered"],
        "ratio_to_reference": (round(ours["accuracy"] / naive["accuracy"], 3)
                               if naive["accuracy"] else None),
    }))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

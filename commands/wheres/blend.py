"""The verdict from two matchers: lexical (typos, compounds, exact terms) and semantic
(paraphrases, other-language questions), blended per entry.

Per candidate entry: ``score = max(w * lexical confidence + (1 - w) * semantic,
lexical_alone * lexical confidence)``, where the semantic part is the cosine similarity
(plus ``cross_lingual`` when the entry is in another language than the asker's: the model
scores a translation lower than same-language text) rescaled between the model's
"unrelated" level (``floor``) and its "same meaning" level (``full``), clipped to 0..1. The
max lets convincing words stand on their own (the sample set's short entries score low
with the model), while a paraphrase still rises on its similarity. Candidates are the
lexical matcher's few best plus the semantic best few. Language twins (an entry and its
translation) count as one candidate: the asker gets the one in their language, and the other
is never offered as an alternative. The matcher answers when the best score reaches
``min_score`` and leads the runner-up by ``min_margin``, or when it leads by ``clear_margin``
(one clear meaning, however paraphrased); otherwise it abstains with hints. Before any of
this, a lexical answer of full confidence (``certain``) stands without the model being asked,
and one the model confirms (``confirm``) stands too.

The defaults in ``Blend`` come from the 2-fold procedure of ``benchmarks/faq_accuracy.py``
(choose on one half of the questions of both evaluation sets, report on the other half, and
swap): these are the values the same grid search picks on all questions
(``tuned_on_all_shipped`` in the benchmark's JSON), whose held-out quality the two folds
measure.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping
from dataclasses import dataclass

from commands.wheres.entry import Entry, Match
from commands.wheres.index import Ranked

SEMANTIC_TOP = 5
# Raw best entries among which the cross-lingual correction picks the SEMANTIC_TOP.
SEMANTIC_POOL = 4 * SEMANTIC_TOP


@dataclass(frozen=True, slots=True)
class Blend:
    """Weights and thresholds of the blended verdict (``[wheres]`` settings)."""

    lexical_weight: float = 0.1
    floor: float = 0.78
    full: float = 0.92
    min_score: float = 0.675
    min_margin: float = 0.0
    # A best candidate this far ahead of the runner-up answers below min_score (a
    # cross-lingual or paraphrased question with one clear meaning); 1.0 = never.
    clear_margin: float = 0.35
    # The lexical matcher's own answer stands when the model's similarity to that entry
    # reaches this (it rarely errs on answerable questions but answers some out-of-scope
    # ones on a shared word); 1.0 = always use the blend.
    confirm: float = 0.86
    # A lexical verdict this confident answers without asking the model at all: embedding
    # the question is most of a lookup's time. At 1.0 (every content word of the question
    # found in the entry's question, aliases or keywords) it skips the model for 15% of the
    # public set's questions and a third of the sample set's, and leaves every held-out
    # figure of benchmarks/faq_accuracy.py (which applies the rule) as it was. At 0.9 the
    # blend still overturned no lexical answer, but one fold's grid search then chose looser
    # thresholds and the held-out false-answer rate rose to 0.115. 1.01 = always the model.
    certain: float = 1.0
    # Added to the similarity of an entry in another language than the asker's: the model's
    # cosine between a question and its translation's entry runs this much lower than
    # within one language (measured: median 0.86 English-to-Dutch against 0.90 Dutch), so
    # without it one threshold drops most cross-lingual questions.
    cross_lingual: float = 0.02
    # An entry scores at least this times its lexical confidence (max fusion): where the
    # words alone are convincing, a low similarity does not drag the entry down.
    lexical_alone: float = 0.9
    alternative_ratio: float = 0.85
    hint_score: float = 0.3
    max_alternatives: int = 2


Scored = tuple[str, float]  # entry id, blended score


def group_of(entry: Entry) -> str:
    """Twins share a group: the Dutch original's id."""
    return entry.twin or entry.id


def blended(
    entries: Mapping[str, Entry], lexical: list[Ranked], similarities: Mapping[str, float],
    blend: Blend, *, lang: str | None = None,
) -> list[Scored]:
    """Candidates with their blended score, best first; ``lang`` is the asker's language
    (None: unknown, no cross-lingual correction)."""
    lex = {entry_id: conf for entry_id, _, conf in lexical}
    # The correction is small, so the corrected best few are among the raw best pool: only
    # those are corrected (a lookup must not touch all 5,000 entries in Python).
    pool = [i for i in heapq.nlargest(SEMANTIC_POOL, similarities, key=similarities.__getitem__)
            if i in entries]

    def similarity(entry_id: str) -> float:
        raw = similarities.get(entry_id, 0.0)
        if lang is not None and entries[entry_id].lang != lang:
            return raw + blend.cross_lingual
        return raw

    semantic_best = sorted(pool, key=lambda i: (-similarity(i), i))[:SEMANTIC_TOP]
    span = max(blend.full - blend.floor, 1e-6)
    out: list[Scored] = []
    for entry_id in dict.fromkeys([*lex, *semantic_best]):
        if entry_id not in entries:
            continue
        conf = lex.get(entry_id, 0.0)
        sem = min(1.0, max(0.0, (similarity(entry_id) - blend.floor) / span))
        # An exact repeat of a question or alias stays certain, whatever the model says.
        mixed = blend.lexical_weight * conf + (1 - blend.lexical_weight) * sem
        score = 1.0 if conf >= 1.0 else max(mixed, blend.lexical_alone * conf)
        out.append((entry_id, score))
    out.sort(key=lambda item: (-item[1], item[0]))
    return out


def verdict(
    entries: Mapping[str, Entry], scored: list[Scored], *, lang: str | None, min_score: float,
    min_margin: float, alternative_ratio: float, hint_score: float, max_alternatives: int,
    clear_margin: float = 1.0,
) -> Match:
    """Answer or abstain from scored candidates, twins merged, in the asker's language."""
    groups: dict[str, list[Scored]] = {}
    for entry_id, score in scored:
        groups.setdefault(group_of(entries[entry_id]), []).append((entry_id, score))
    ranked = sorted(((g, max(s for _, s in members)) for g, members in groups.items()),
                    key=lambda item: (-item[1], item[0]))
    if not ranked:
        return Match(None, 0.0, (), ())
    shown = {g: _in_language(entries, members, lang) for g, members in groups.items()}
    candidates = tuple((shown[g], round(s, 4)) for g, s in ranked[:3])
    best_group, best = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
    clear = best >= hint_score and best - runner_up >= clear_margin
    if not clear and (best < min_score or (best < 1.0 and best - runner_up < min_margin)):
        hints = tuple(shown[g] for g, s in ranked[:3] if s >= hint_score)
        return Match(None, round(best, 4), hints[: max(max_alternatives, 1) + 1], candidates)
    alternatives = tuple(
        shown[g] for g, s in ranked[1:] if s >= alternative_ratio * best and s >= hint_score
    )[:max_alternatives]
    return Match(shown[best_group], round(best, 4), alternatives, candidates)


def _in_language(entries: Mapping[str, Entry], members: list[Scored], lang: str | None) -> str:
    for entry_id, _ in members:
        if lang is not None and entries[entry_id].lang == lang:
            return entry_id
    return members[0][0]


def in_language(entries: Mapping[str, Entry], match: Match, lang: str | None) -> Match:
    """A lexical verdict with twins merged: the answer in the asker's language when it has a
    twin in it, and never the answer's own twin (or a twin of another) as an alternative."""
    twins: dict[str, list[str]] = {}
    named = [i for i in (match.entry_id, *match.alternatives) if i is not None and i in entries]
    for entry_id in set(named):
        twins.setdefault(group_of(entries[entry_id]), []).append(entry_id)
    for group, members in twins.items():
        twins[group] = sorted(members)
    for entry in entries.values():
        group = group_of(entry)
        if group in twins and entry.id not in twins[group]:
            twins[group].append(entry.id)

    def shown(entry_id: str) -> str:
        members = twins.get(group_of(entries[entry_id]), [entry_id])
        return _in_language(entries, [(m, 0.0) for m in [entry_id, *members]], lang)

    answer = match.entry_id
    if answer is not None and answer in entries:
        answer = shown(answer)
    seen = {group_of(entries[answer])} if answer is not None and answer in entries else set()
    alternatives = []
    for alt in match.alternatives:
        if alt in entries and group_of(entries[alt]) not in seen:
            seen.add(group_of(entries[alt]))
            alternatives.append(shown(alt))
    return Match(answer, match.score, tuple(alternatives), match.candidates)


def certain(lexical: Match, blend: Blend) -> bool:
    """The lexical verdict stands without the model (see ``Blend.certain``)."""
    return lexical.entry_id is not None and lexical.score >= blend.certain


def decide(
    entries: Mapping[str, Entry], lexical: Match, ranked: list[Ranked],
    similarities: Mapping[str, float], blend: Blend, *, lang: str | None,
) -> Match:
    """The lexical verdict when it is certain or the model confirms it, else the blended
    verdict."""
    if certain(lexical, blend) or (
            lexical.entry_id is not None
            and similarities.get(lexical.entry_id, 0.0) >= blend.confirm):
        return in_language(entries, lexical, lang)
    return verdict(entries, blended(entries, ranked, similarities, blend, lang=lang), lang=lang,
                   min_score=blend.min_score, min_margin=blend.min_margin,
                   alternative_ratio=blend.alternative_ratio, hint_score=blend.hint_score,
                   max_alternatives=blend.max_alternatives, clear_margin=blend.clear_margin)

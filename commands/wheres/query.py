"""Scoring one question against a ``FaqIndex``: units, alternatives, confidence.

A question is cut into units (a word, or a synonym phrase such as ``code of conduct``); a unit
matches an entry through its own forms, its synonyms, compound parts or, for an unknown word,
its closest known spelling, each at a lower weight. Evidence lives in numpy vectors with one
slot per entry, so a common word costs microseconds, not a Python loop.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from commands.wheres.compound import MIN_REST, known_part, split
from commands.wheres.scoring import (
    ANCHOR_COVERAGE,
    LIGHT_FACTOR,
    NO_ANCHOR_CAP,
    SAT_FULL,
    TOP_K,
)
from commands.wheres.text import LIGHT_WORDS, STOPWORDS, words

if TYPE_CHECKING:
    from commands.wheres.index import FaqIndex

Vector = np.ndarray  # one float per entry slot


@dataclass(slots=True)
class _Scores:
    """A unit's or word's evidence per slot: raw contribution and coverage (0..1+)."""

    raw: Vector
    cover: Vector
    hit: bool

    @classmethod
    def empty(cls, n: int) -> _Scores:
        return cls(np.zeros(n), np.zeros(n), False)

    def take(self, other: _Scores, factor: float) -> None:
        """Keep, per slot, whichever of the two has the larger contribution."""
        if not other.hit:
            return
        raw = other.raw * factor
        better = raw > self.raw
        self.raw = np.where(better, raw, self.raw)
        self.cover = np.where(better, other.cover * factor, self.cover)
        self.hit = True


class Query:
    """One question against one index: units, their alternatives, and the scores."""

    def __init__(self, index: FaqIndex, question: str) -> None:
        self.ix = index
        self.t = index.tuning
        self.n = index.slots
        self.question = question
        self.words = words(question)
        self.forms = {f for w in self.words for f in index.analyzer.forms(w)}
        self._word_cache: dict[str, _Scores] = {}
        self._idf_cache: dict[str, float] = {}

    def known(self, word: str) -> bool:
        return self.ix._known(word) or word in self.forms

    def units(self) -> list[tuple[tuple[str, ...], float]]:
        """Synonym phrases (longest first), else content words; unknown compounds that
        split into known words become one unit per part."""
        syn = self.ix.synonyms
        out: list[tuple[tuple[str, ...], float]] = []
        i = 0
        while i < len(self.words):
            for n in range(min(syn.max_len, len(self.words) - i), 1, -1):
                phrase = tuple(self.words[i : i + n])
                if phrase in syn:
                    out.append((phrase, 1.0))
                    i += n
                    break
            else:
                word = self.words[i]
                if word not in STOPWORDS:
                    out += self._word_units(word)
                i += 1
        return out

    def _word_units(self, word: str) -> list[tuple[tuple[str, ...], float]]:
        if (
            self._word_found(word) or (word,) in self.ix.synonyms
            or self._word_scores(word).hit or len(word) < 2 * MIN_REST
        ):
            return [((word,), 1.0)]
        parts = split(word, self.ix._known)
        if not parts:
            return [((word,), 1.0)]
        return [((p,), self.t.split_weight) for p in parts if p not in STOPWORDS]

    def rank(self) -> list[tuple[str, float, float]]:
        """The best few entries as (id, raw score, confidence), best first."""
        raw = np.zeros(self.n)
        cover = np.zeros(self.n)
        anchored = np.zeros(self.n, dtype=bool)
        total_weight = 0.0
        for unit, factor in self.units():
            scores, weight = self.unit_scores(unit, factor)
            light = len(unit) == 1 and unit[0] in LIGHT_WORDS
            if light:
                weight *= LIGHT_FACTOR
            if scores.hit:
                # A word the knowledge base only mentions in passing (in answers) is weak
                # evidence either way: it weighs less in the denominator too.
                best_cover = min(1.0, float(scores.cover.max()))
                weight *= max(ANCHOR_COVERAGE, best_cover)
                raw += scores.raw * (LIGHT_FACTOR if light else 1.0)
                cover += weight * np.minimum(scores.cover, 1.0)
                if not light:
                    anchored |= scores.cover >= ANCHOR_COVERAGE
            total_weight += weight
        hits = np.flatnonzero(raw > 0)
        if not len(hits):
            return []
        exact = {self.ix._docs[i].slot
                 for i in self.ix._exact.get(exact_key(self.question), set())}
        top = hits[np.argpartition(-raw[hits], TOP_K - 1)[:TOP_K]] if len(hits) > TOP_K else hits
        bonus = float(raw[hits].max())
        ranked = []
        for slot in {*map(int, top), *exact}:
            entry_id = self.ix._ids[slot]
            assert entry_id is not None
            is_exact = slot in exact
            ranked.append((
                entry_id, float(raw[slot]) + (bonus if is_exact else 0.0),
                _confidence(float(cover[slot]), total_weight, exact=is_exact,
                            anchored=bool(anchored[slot])),
            ))
        ranked.sort(key=lambda item: (-item[1], item[0]))
        return ranked

    def unit_scores(self, unit: tuple[str, ...], factor: float = 1.0) -> tuple[_Scores, float]:
        """Scores of one unit over the entries, and the unit's weight in the confidence."""
        alternatives: list[tuple[tuple[str, ...], float]] = [(unit, factor)]
        alternatives += [
            (alt, factor * self.t.synonym_weight) for alt in self.ix.synonyms.alternatives(unit)
        ]
        if len(unit) == 1 and not self._word_found(unit[0]):
            self._word_scores(unit[0])  # fills the cache: compound hits make a typo fix moot
            alternatives += self._repairs(unit[0])
        best = _Scores.empty(self.n)
        weight = 0.0
        for phrase, alt_factor in alternatives:
            scores, idf = self._phrase_scores(phrase)
            weight = max(weight, idf)
            best.take(scores, alt_factor)
        if weight == 0.0:
            weight = self.t.unknown_weight * self.ix.idf("")
        return best, weight

    def _word_found(self, word: str) -> bool:
        return any(f in self.ix._postings for f in self.ix.analyzer.forms(word))

    def _repairs(self, word: str) -> list[tuple[tuple[str, ...], float]]:
        """An unknown word: a known half (a compound) or its closest spelling (a typo)."""
        out: list[tuple[tuple[str, ...], float]] = []
        if not split(word, self.ix._known):
            part = known_part(word, self.ix._known)
            if part is not None:
                out.append(((part,), self.t.partial_weight))
                out += [
                    (alt, self.t.partial_weight * self.t.synonym_weight)
                    for alt in self.ix.synonyms.alternatives((part,))
                ]
        cached = self._word_cache.get(word)
        if (cached is not None and cached.hit) or len(word) < 5:
            return out
        fixed = self._closest(word)
        if fixed is not None:
            out.append(((fixed,), self.t.typo_weight))
            out += [
                (alt, self.t.typo_weight * self.t.synonym_weight)
                for alt in self.ix.synonyms.alternatives((fixed,))
            ]
        return out

    def _closest(self, word: str) -> str | None:
        max_edits = 1 if len(word) < 8 else 2
        best: tuple[int, str] | None = None
        for length in range(len(word) - max_edits, len(word) + max_edits + 1):
            choices = self._choices(length)
            if not choices:
                continue
            for candidate, distance, _ in process.extract(
                word, choices, scorer=Levenshtein.distance, score_cutoff=max_edits, limit=5
            ):
                # A word that only adds or drops an ending (volgen/volgend) is another form
                # or another word, not a typo: stems handle forms.
                if candidate.startswith(word) or word.startswith(candidate):
                    continue
                if best is None or distance < best[0]:
                    best = (int(distance), candidate)
                break
        return best[1] if best else None

    def _choices(self, length: int) -> list[str]:
        ix = self.ix
        found = ix._length_lists.get(length)
        if found is None:
            words_of_length = set(ix._by_length.get(length, {}))
            words_of_length |= {w for w in ix._synonym_words if len(w) == length}
            found = ix._length_lists[length] = sorted(words_of_length)
        return found

    def _phrase_scores(self, phrase: tuple[str, ...]) -> tuple[_Scores, float]:
        """Mean over the phrase's words (every word must count for a phrase to match)."""
        if len(phrase) == 1:
            return self._word_scores(phrase[0]), self._word_idf(phrase[0])
        content = [w for w in phrase if w not in STOPWORDS] or list(phrase)
        total = _Scores.empty(self.n)
        for word in content:
            scores = self._word_scores(word)
            if scores.hit:
                total.raw = total.raw + scores.raw
                total.cover = total.cover + scores.cover
                total.hit = True
        n = len(content)
        idf = sum(self._word_idf(w) for w in content) / n
        return _Scores(total.raw / n, total.cover / n, total.hit), idf

    def _word_idf(self, word: str) -> float:
        found = self._idf_cache.get(word)
        if found is None:
            present = [f for f in self.ix.analyzer.forms(word) if f in self.ix._postings]
            found = max((self.ix.idf(f) for f in present), default=0.0)
            self._idf_cache[word] = found
        return found

    def _collect(self, scores: _Scores, form: str, idf: float, factor: float) -> None:
        slots, sat = self.ix.posting(form)
        if not len(slots):
            return
        raw = sat * (idf * factor)
        better = raw > scores.raw[slots]
        chosen = slots[better]
        scores.raw[chosen] = raw[better]
        scores.cover[chosen] = sat[better] * (factor / SAT_FULL)
        scores.hit = True

    def _word_scores(self, word: str) -> _Scores:
        found = self._word_cache.get(word)
        if found is not None:
            return found
        ix = self.ix
        scores = _Scores.empty(self.n)
        compound_idf = 0.0
        for form in ix.analyzer.forms(word):
            if form in ix._postings:
                self._collect(scores, form, ix.idf(form), 1.0)
            if len(form) >= 4:
                for compound in ix._parts.compounds(form, self.known):
                    idf = ix.idf(compound)
                    compound_idf = max(compound_idf, idf)
                    self._collect(scores, compound, idf, self.t.part_weight)
        self._word_cache[word] = scores
        if scores.hit and not self._word_found(word):
            # Found only inside compounds: its weight is that of the compounds.
            self._idf_cache[word] = compound_idf
        return scores


def exact_key(text: str) -> str:
    """Every word as typed (folded): only a repeat of a question or alias is certain."""
    return " ".join(words(text))


def _confidence(cover: float, total: float, *, exact: bool, anchored: bool) -> float:
    if exact:
        return 1.0
    share = cover / total if total > 0 else 0.0
    if not anchored:
        # No question word reaches the entry's question, aliases or keywords: the entry
        # merely mentions something the person said. Never enough to answer.
        return min(share, NO_ANCHOR_CAP)
    return share

"""The in-memory FAQ index: BM25F-style scoring with synonyms, compounds and typo tolerance.

Fields: the question plus confirmed aliases (``title``), the keywords and the answer, with the
answer weighted low: a word that only occurs in an answer says little about the question.
Each question is cut into units (a word, or a synonym phrase such as ``code of conduct``);
a unit matches an entry through its own forms, its synonyms, compound parts or, for an
unknown word, its closest known spelling, each at a lower weight. Two numbers come out:

- ``raw``: the BM25 sum that ranks the entries;
- ``confidence`` (0..1): the idf-weighted share of the question's units that the entry
  covers, where a unit counts fully when it occurs in the entry's question, aliases or
  keywords. Words the index does not know at all count against it.

The matcher answers only when the best entry is confident enough and clearly ahead of the
next (the margin rule); otherwise it abstains and still reports its candidates. Updates are
incremental: ``put`` and ``remove`` touch only the postings of one entry. Scoring runs on
numpy vectors with one slot per entry, so a common word costs microseconds, not a loop.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from commands.wheres.compound import MIN_REST, Parts, known_part, split
from commands.wheres.entry import Entry, Match
from commands.wheres.synonyms import Synonyms, build_synonyms
from commands.wheres.text import LIGHT_WORDS, STOPWORDS, Analyzer, words

K1 = 1.2
B = 0.5
FIELD_WEIGHT = {"title": 3.0, "keywords": 3.0, "answer": 0.5}
FIELD_PIVOT = {"title": 5.0, "keywords": 4.0, "answer": 15.0}
# A unit that occurs once in a question of average length counts as fully covered.
SAT_FULL = FIELD_WEIGHT["title"] / (K1 + FIELD_WEIGHT["title"])

# Saturation cap of a word found only in an entry's answer (coverage 0.4 at most).
ANSWER_ONLY_SAT = 0.4 * SAT_FULL
# Coverage at which a unit counts as reaching the entry's question or keywords (an anchor).
ANCHOR_COVERAGE = 0.5
NO_ANCHOR_CAP = 0.3
# Weight of a light word (commands.wheres.text.LIGHT_WORDS) relative to a content word.
LIGHT_FACTOR = 0.3
# Raw bonus for entries in the asker's language (more than a tie, less than a margin).
LANG_PREFERENCE = 0.05
# Runner-up this close to the best: the matcher cannot tell them apart and abstains.
TIE_MARGIN = 0.03
# Entries kept for the verdict (the best plus alternatives and a margin check).
TOP_K = 4

Vector = np.ndarray  # one float per entry slot


@dataclass(frozen=True, slots=True)
class Tuning:
    """Weights and thresholds of the matcher (from ``[wheres]`` settings)."""

    min_confidence: float = 0.5
    sure_confidence: float = 0.8
    min_margin: float = 0.15
    alternative_ratio: float = 0.6
    alternative_confidence: float = 0.35
    hint_confidence: float = 0.25
    max_alternatives: int = 2
    synonym_weight: float = 0.8
    part_weight: float = 0.7
    split_weight: float = 0.85
    partial_weight: float = 0.45
    typo_weight: float = 0.7
    unknown_weight: float = 0.4


@dataclass(slots=True)
class _Doc:
    entry: Entry
    slot: int
    sat: dict[str, float]  # form -> saturated term frequency
    exact: frozenset[str]  # the question and aliases as typed (folded)


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


class FaqIndex:
    """Entries by id, searchable with ``match``. Not thread-safe; one per process."""

    def __init__(self, *, synonyms: Synonyms | None = None, tuning: Tuning | None = None) -> None:
        self.synonyms = synonyms if synonyms is not None else build_synonyms()
        self.tuning = tuning or Tuning()
        self.analyzer = Analyzer()
        self._docs: dict[str, _Doc] = {}
        self._ids: list[str | None] = []  # slot -> entry id
        self._free: list[int] = []
        self._postings: dict[str, dict[int, float]] = {}  # form -> slot -> saturation
        self._arrays: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # cached postings
        self._parts = Parts()
        self._exact: dict[str, set[str]] = {}
        self._by_length: dict[int, dict[str, None]] = {}
        self._length_lists: dict[int, list[str]] = {}
        self._synonym_words = self.synonyms.vocabulary()

    # -- maintenance ----------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._docs)

    def __contains__(self, entry_id: object) -> bool:
        return entry_id in self._docs

    def get(self, entry_id: str) -> Entry | None:
        doc = self._docs.get(entry_id)
        return doc.entry if doc else None

    def entries(self) -> list[Entry]:
        return [doc.entry for doc in self._docs.values()]

    @property
    def slots(self) -> int:
        return len(self._ids)

    def put_many(self, entries: Iterable[Entry]) -> None:
        for entry in entries:
            self.put(entry)

    def put(self, entry: Entry) -> None:
        """Add or replace one entry."""
        if entry.id in self._docs:
            self.remove(entry.id)
        if self._free:
            slot = self._free.pop()
            self._ids[slot] = entry.id
        else:
            slot = len(self._ids)
            self._ids.append(entry.id)
        doc = _Doc(entry, slot, self._saturation(entry), self._exact_keys(entry))
        self._docs[entry.id] = doc
        for form, sat in doc.sat.items():
            posting = self._postings.get(form)
            if posting is None:
                posting = self._postings[form] = {}
                self._add_word(form)
            posting[slot] = sat
            self._arrays.pop(form, None)
        for key in doc.exact:
            self._exact.setdefault(key, set()).add(entry.id)

    def remove(self, entry_id: str) -> bool:
        doc = self._docs.pop(entry_id, None)
        if doc is None:
            return False
        for form in doc.sat:
            posting = self._postings.get(form)
            if posting is None:
                continue
            posting.pop(doc.slot, None)
            self._arrays.pop(form, None)
            if not posting:
                del self._postings[form]
                self._drop_word(form)
        for key in doc.exact:
            ids = self._exact.get(key)
            if ids is not None:
                ids.discard(entry_id)
                if not ids:
                    del self._exact[key]
        self._ids[doc.slot] = None
        self._free.append(doc.slot)
        return True

    def _add_word(self, form: str) -> None:
        self._parts.add(form)
        self._by_length.setdefault(len(form), {})[form] = None
        self._length_lists.pop(len(form), None)

    def _drop_word(self, form: str) -> None:
        self._parts.remove(form)
        self._by_length.get(len(form), {}).pop(form, None)
        self._length_lists.pop(len(form), None)

    def _exact_keys(self, entry: Entry) -> frozenset[str]:
        return frozenset(k for k in map(exact_key, (entry.question, *entry.aliases)) if k)

    def _saturation(self, entry: Entry) -> dict[str, float]:
        fields = {
            "title": (entry.question, *entry.aliases),
            "keywords": entry.keywords,
            "answer": (entry.answer,),
        }
        weighted: dict[str, float] = {}
        anchors: set[str] = set()
        for name, texts in fields.items():
            counts: dict[str, int] = {}
            length = 0
            for i, text in enumerate(texts):
                tokens = self.analyzer.tokens(text)
                if name != "title" or i == 0:
                    length += len(tokens)  # aliases add evidence, not length
                for token in tokens:
                    for form in token.forms:
                        counts[form] = counts.get(form, 0) + 1
            norm = 1 - B + B * max(length, 1) / FIELD_PIVOT[name]
            for form, count in counts.items():
                weighted[form] = weighted.get(form, 0.0) + FIELD_WEIGHT[name] * count / norm
            if name != "answer":
                anchors.update(counts)
        # A word only in the answer never covers a question word fully, however short the
        # answer: the entry merely mentions it.
        return {
            form: tf / (K1 + tf) if form in anchors else min(tf / (K1 + tf), ANSWER_ONLY_SAT)
            for form, tf in weighted.items()
        }

    # -- lookup ---------------------------------------------------------------------------
    def idf(self, form: str) -> float:
        df = len(self._postings.get(form, ()))
        n = len(self._docs)
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    def posting(self, form: str) -> tuple[np.ndarray, np.ndarray]:
        """(slots, saturations) of a form as arrays, cached until the form changes."""
        found = self._arrays.get(form)
        if found is None:
            posting = self._postings.get(form, {})
            found = (np.fromiter(posting.keys(), dtype=np.int64, count=len(posting)),
                     np.fromiter(posting.values(), dtype=np.float64, count=len(posting)))
            self._arrays[form] = found
        return found

    def _known(self, word: str) -> bool:
        return any(
            form in self._postings or form in self._synonym_words
            for form in self.analyzer.forms(word)
        )

    def match(self, question: str, *, lang: str | None = None) -> Match:
        """Best entry for ``question`` or an abstention, with close alternatives.

        ``lang`` (the asker's language) breaks near-ties between translations of one entry.
        """
        if not self._docs:
            return Match(None, 0.0, (), ())
        ranked = _Query(self, question).rank()
        if lang is not None and len(ranked) > 1:
            ranked = [
                (d, raw * (1 + LANG_PREFERENCE) if self._docs[d].entry.lang == lang else raw, c)
                for d, raw, c in ranked
            ]
            ranked.sort(key=lambda item: (-item[1], item[0]))
        return self._verdict(ranked)

    def _verdict(self, ranked: list[tuple[str, float, float]]) -> Match:
        t = self.tuning
        if not ranked:
            return Match(None, 0.0, (), ())
        best_id, best_raw, best_conf = ranked[0]
        candidates = tuple((doc_id, round(conf, 4)) for doc_id, _, conf in ranked[:3])
        alternatives = tuple(
            doc_id for doc_id, raw, conf in ranked[1:]
            if raw >= t.alternative_ratio * best_raw and conf >= t.alternative_confidence
        )[: t.max_alternatives]
        runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
        close = runner_up >= (1 - t.min_margin) * best_raw
        tied = runner_up >= (1 - TIE_MARGIN) * best_raw  # a coin toss, however confident
        confident = best_conf >= t.min_confidence and not tied and (
            not close or best_conf >= t.sure_confidence
        )
        if not confident:
            hints = tuple(d for d, _, c in ranked[:3] if c >= t.hint_confidence)
            return Match(None, round(best_conf, 4), hints[: max(t.max_alternatives, 1) + 1],
                         candidates)
        return Match(best_id, round(best_conf, 4), alternatives, candidates)


class _Query:
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

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
incremental: ``put`` and ``remove`` touch only the postings of one entry.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from commands.wheres.compound import MIN_REST, Parts, known_part, split
from commands.wheres.entry import Entry, Match
from commands.wheres.synonyms import Synonyms, build_synonyms
from commands.wheres.text import STOPWORDS, Analyzer, words

K1 = 1.2
B = 0.5
FIELD_WEIGHT = {"title": 3.0, "keywords": 3.0, "answer": 0.5}
FIELD_PIVOT = {"title": 5.0, "keywords": 4.0, "answer": 15.0}
# A unit that occurs once in a question of average length counts as fully covered.
SAT_FULL = FIELD_WEIGHT["title"] / (K1 + FIELD_WEIGHT["title"])

# Coverage at which a unit counts as reaching the entry's question or keywords (an anchor).
ANCHOR_COVERAGE = 0.5
NO_ANCHOR_CAP = 0.3
# Runner-up this close to the best: the matcher cannot tell them apart and abstains.
TIE_MARGIN = 0.03
# Entries kept for the verdict (the best plus alternatives and a margin check).
TOP_K = 4
# Postings longer than this only add to the candidates the rarer words found.
PRUNE_DF = 100

Scores = dict[str, tuple[float, float]]  # entry id -> (raw contribution, coverage)


@dataclass(frozen=True, slots=True)
class Tuning:
    """Weights and thresholds of the matcher (from ``[wheres]`` settings)."""

    min_confidence: float = 0.5
    sure_confidence: float = 0.8
    min_margin: float = 0.15
    alternative_ratio: float = 0.6
    alternative_confidence: float = 0.35
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
    sat: dict[str, float]  # form -> saturated term frequency
    exact: frozenset[str]  # normalised question and aliases


class FaqIndex:
    """Entries by id, searchable with ``match``. Not thread-safe; one per process."""

    def __init__(self, *, synonyms: Synonyms | None = None, tuning: Tuning | None = None) -> None:
        self.synonyms = synonyms if synonyms is not None else build_synonyms()
        self.tuning = tuning or Tuning()
        self.analyzer = Analyzer()
        self._docs: dict[str, _Doc] = {}
        self._postings: dict[str, dict[str, float]] = {}
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

    def put_many(self, entries: Iterable[Entry]) -> None:
        for entry in entries:
            self.put(entry)

    def put(self, entry: Entry) -> None:
        """Add or replace one entry."""
        if entry.id in self._docs:
            self.remove(entry.id)
        doc = _Doc(entry, self._saturation(entry), self._exact_keys(entry))
        self._docs[entry.id] = doc
        for form, sat in doc.sat.items():
            posting = self._postings.get(form)
            if posting is None:
                posting = self._postings[form] = {}
                self._add_word(form)
            posting[entry.id] = sat
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
            posting.pop(entry_id, None)
            if not posting:
                del self._postings[form]
                self._drop_word(form)
        for key in doc.exact:
            ids = self._exact.get(key)
            if ids is not None:
                ids.discard(entry_id)
                if not ids:
                    del self._exact[key]
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
        return {form: tf / (K1 + tf) for form, tf in weighted.items()}

    # -- lookup ---------------------------------------------------------------------------
    def idf(self, form: str) -> float:
        df = len(self._postings.get(form, ()))
        n = len(self._docs)
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    def _known(self, word: str) -> bool:
        return any(
            form in self._postings or form in self._synonym_words
            for form in self.analyzer.forms(word)
        )

    def match(self, question: str) -> Match:
        """Best entry for ``question`` or an abstention, with close alternatives."""
        if not self._docs:
            return Match(None, 0.0, (), ())
        query = _Query(self, question)
        ranked = query.rank()
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
            hints = tuple(d for d, _, c in ranked[:3] if c >= t.alternative_confidence)
            return Match(None, round(best_conf, 4), hints, candidates)
        return Match(best_id, round(best_conf, 4), alternatives, candidates)


class _Query:
    """One question against one index: units, their alternatives, and the scores."""

    def __init__(self, index: FaqIndex, question: str) -> None:
        self.ix = index
        self.t = index.tuning
        self.question = question
        self.words = words(question)
        self.forms = {f for w in self.words for f in index.analyzer.forms(w)}
        self._word_cache: dict[str, Scores] = {}
        self._idf_cache: dict[str, float] = {}
        self.candidates: dict[str, float] | None = None

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
            self._word_found(word) or (word,) in self.ix.synonyms or self._word_scores(word)
            or len(word) < 2 * MIN_REST
        ):
            return [((word,), 1.0)]
        parts = split(word, self.ix._known)
        if not parts:
            return [((word,), 1.0)]
        return [((p,), self.t.split_weight) for p in parts if p not in STOPWORDS]

    def rank(self) -> list[tuple[str, float, float]]:
        """The best few entries as (id, raw score, confidence), best first."""
        raw: dict[str, float] = {}
        cover: dict[str, float] = {}
        anchored: set[str] = set()
        total_weight = 0.0
        # Rare units first: once they have found candidates, very common words only add to
        # those instead of touching thousands of entries (the result hardly changes).
        for unit, factor in sorted(self.units(), key=self._frequency):
            scores, weight = self.unit_scores(unit, factor)
            if scores:
                # A word the knowledge base only mentions in passing (in answers) is weak
                # evidence either way: it weighs less in the denominator too.
                best_cover = min(1.0, max(cover for _, cover in scores.values()))
                weight *= max(ANCHOR_COVERAGE, best_cover)
            total_weight += weight
            for doc_id, (contribution, coverage) in scores.items():
                raw[doc_id] = raw.get(doc_id, 0.0) + contribution
                cover[doc_id] = cover.get(doc_id, 0.0) + weight * min(1.0, coverage)
                if coverage >= ANCHOR_COVERAGE:
                    anchored.add(doc_id)
            if raw:
                self.candidates = raw
        exact = self.ix._exact.get(exact_key(self.question), set()) & raw.keys()
        top = set(heapq.nlargest(TOP_K, raw, key=raw.__getitem__)) | exact
        bonus = max(raw.values(), default=0.0)
        ranked = [
            (doc_id, raw[doc_id] + (bonus if doc_id in exact else 0.0),
             _confidence(doc_id, cover[doc_id], total_weight, exact, anchored))
            for doc_id in top
        ]
        ranked.sort(key=lambda item: (-item[1], item[0]))
        return ranked

    def _frequency(self, unit: tuple[tuple[str, ...], float]) -> int:
        postings = self.ix._postings
        sizes = [
            len(postings[form])
            for word in unit[0] for form in self.ix.analyzer.forms(word) if form in postings
        ]
        return min(sizes, default=0)

    def unit_scores(self, unit: tuple[str, ...], factor: float = 1.0) -> tuple[Scores, float]:
        """Scores of one unit over the entries, and the unit's weight in the confidence."""
        alternatives: list[tuple[tuple[str, ...], float]] = [(unit, factor)]
        alternatives += [
            (alt, factor * self.t.synonym_weight) for alt in self.ix.synonyms.alternatives(unit)
        ]
        if len(unit) == 1 and not self._word_found(unit[0]):
            self._word_scores(unit[0])  # fills the cache: compound hits make a typo fix moot
            alternatives += self._repairs(unit[0])
        best: Scores = {}
        weight = 0.0
        for phrase, factor in alternatives:
            scores, idf = self._phrase_scores(phrase)
            weight = max(weight, idf)
            for doc_id, (contribution, coverage) in scores.items():
                old = best.get(doc_id)
                value = (contribution * factor, coverage * factor)
                if old is None or value[0] > old[0]:
                    best[doc_id] = value
        if weight == 0.0:
            weight = self.t.unknown_weight * self.ix.idf("")
        return best, weight

    def _word_found(self, word: str) -> bool:
        return any(f in self.ix._postings for f in self.ix.analyzer.forms(word))

    def _repairs(self, word: str) -> list[tuple[tuple[str, ...], float]]:
        """An unknown word: its known parts (a compound) or its closest spelling (a typo)."""
        out: list[tuple[tuple[str, ...], float]] = []
        if not split(word, self.ix._known):
            part = known_part(word, self.ix._known)
            if part is not None:
                out.append(((part,), self.t.partial_weight))
                out += [
                    (alt, self.t.partial_weight * self.t.synonym_weight)
                    for alt in self.ix.synonyms.alternatives((part,))
                ]
        if self._word_cache.get(word) or len(word) < 5:
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
            found = process.extractOne(
                word, choices, scorer=Levenshtein.distance, score_cutoff=max_edits
            )
            if found is not None and (best is None or found[1] < best[0]):
                best = (int(found[1]), found[0])
        return best[1] if best else None

    def _choices(self, length: int) -> list[str]:
        ix = self.ix
        found = ix._length_lists.get(length)
        if found is None:
            words_of_length = set(ix._by_length.get(length, {}))
            words_of_length |= {w for w in ix._synonym_words if len(w) == length}
            found = ix._length_lists[length] = sorted(words_of_length)
        return found

    def _phrase_scores(self, phrase: tuple[str, ...]) -> tuple[Scores, float]:
        """Mean over the phrase's words (every word must count for a phrase to match)."""
        if len(phrase) == 1:
            return self._word_scores(phrase[0]), self._word_idf(phrase[0])
        content = [w for w in phrase if w not in STOPWORDS] or list(phrase)
        summed: dict[str, list[float]] = {}
        for word in content:
            for doc_id, (contribution, coverage) in self._word_scores(word).items():
                acc = summed.setdefault(doc_id, [0.0, 0.0])
                acc[0] += contribution
                acc[1] += coverage
        n = len(content)
        idf = sum(self._word_idf(w) for w in content) / n
        return {d: (c / n, v / n) for d, (c, v) in summed.items()}, idf

    def _word_idf(self, word: str) -> float:
        found = self._idf_cache.get(word)
        if found is None:
            present = [f for f in self.ix.analyzer.forms(word) if f in self.ix._postings]
            found = max((self.ix.idf(f) for f in present), default=0.0)
            self._idf_cache[word] = found
        return found

    def _collect(
        self, scores: Scores, posting: dict[str, float], idf: float, factor: float
    ) -> None:
        items: Iterable[tuple[str, float]]
        candidates = self.candidates
        if candidates is None or len(posting) <= max(PRUNE_DF, len(self.ix._docs) // 50):
            items = posting.items()
        elif len(candidates) < len(posting):
            items = ((d, posting[d]) for d in candidates if d in posting)
        else:
            items = ((d, sat) for d, sat in posting.items() if d in candidates)
        weight = idf * factor
        scale = factor / SAT_FULL
        for doc_id, sat in items:
            contribution = weight * sat
            old = scores.get(doc_id)
            if old is None or contribution > old[0]:
                scores[doc_id] = (contribution, sat * scale)

    def _word_scores(self, word: str) -> Scores:
        found = self._word_cache.get(word)
        if found is not None:
            return found
        ix = self.ix
        scores: Scores = {}
        for form in ix.analyzer.forms(word):
            posting = ix._postings.get(form)
            if posting:
                self._collect(scores, posting, ix.idf(form), 1.0)
            if len(form) >= 4:
                for compound in ix._parts.compounds(form, self.known):
                    self._collect(
                        scores, ix._postings[compound], ix.idf(compound), self.t.part_weight
                    )
        self._word_cache[word] = scores
        if not any(f in ix._postings for f in ix.analyzer.forms(word)) and scores:
            # Found only inside compounds: its weight is that of the compounds.
            self._idf_cache[word] = max(
                ix.idf(c) for f in ix.analyzer.forms(word) for c in ix._parts.compounds(f, self.known)
            ) if len(word) >= 4 else 0.0
        return scores


def exact_key(text: str) -> str:
    """Every word as typed (folded): only a repeat of a question or alias is certain."""
    return " ".join(words(text))


def _confidence(
    doc_id: str, cover: float, total: float, exact: set[str], anchored: set[str]
) -> float:
    if doc_id in exact:
        return 1.0
    if doc_id not in anchored or total <= 0:
        # No question word reaches the entry's question, aliases or keywords: the entry
        # merely mentions something the person said. Never enough to answer.
        return min(cover / total if total > 0 else 0.0, NO_ANCHOR_CAP)
    return cover / total



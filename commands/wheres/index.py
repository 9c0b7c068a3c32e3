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

from commands.wheres.compound import Parts
from commands.wheres.entry import Entry, Match
from commands.wheres.query import Query, exact_key
from commands.wheres.scoring import (
    ANSWER_ONLY_SAT,
    FIELD_PIVOT,
    FIELD_WEIGHT,
    K1,
    LANG_PREFERENCE,
    TIE_MARGIN,
    B,
    Tuning,
)
from commands.wheres.synonyms import Synonyms, build_synonyms
from commands.wheres.text import Analyzer

__all__ = ["FaqIndex", "Ranked", "Tuning"]

Ranked = tuple[str, float, float]  # entry id, raw score, confidence


@dataclass(slots=True)
class _Doc:
    entry: Entry
    slot: int
    sat: dict[str, float]  # form -> saturated term frequency
    exact: frozenset[str]  # the question and aliases as typed (folded)


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
        return self.verdict(self.rank(question, lang=lang))

    def rank(self, question: str, *, lang: str | None = None) -> list[Ranked]:
        """The best few entries as (id, raw score, confidence), best first."""
        if not self._docs:
            return []
        ranked = Query(self, question).rank()
        if lang is not None and len(ranked) > 1:
            ranked = [
                (d, raw * (1 + LANG_PREFERENCE) if self._docs[d].entry.lang == lang else raw, c)
                for d, raw, c in ranked
            ]
            ranked.sort(key=lambda item: (-item[1], item[0]))
        return ranked

    def verdict(self, ranked: list[Ranked]) -> Match:
        """Answer or abstain, from ``rank``'s list (possibly re-ordered by a re-ranker)."""
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

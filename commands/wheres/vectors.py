"""Entry vectors in memory: one row per entry, keyed by the hash of the text embedded.

``passage_texts`` is what the model sees of an entry: the whole entry (question, aliases,
keywords, answer) and its core (question, aliases, keywords); the entry's vector is the
normalised sum of the two (``embed_entries``). Their hash (with the model name) keys the
stored vector, so an unchanged entry is never embedded twice, across restarts and
processes. ``VectorIndex`` answers "how similar is this question to every entry" with one
matrix product.

Why two views (measured with benchmarks/faq_accuracy.py, 2-fold held out, December 2026):
the whole entry alone lets a long answer pull the vector away from what the entry is
about, the core alone loses the answer's words that paraphrases and other-language
questions meet; their sum scored better on both evaluation sets than either (sample set
acc@1 0.886 -> 0.914 with no false answers, public set 0.667 -> 0.709 with 0.084 false
answers in both; English questions 0.62 -> 0.78), at no cost per lookup; building costs
1.3-1.4x the CPU time of one view (the core is short: public set, 65 entries, 5.0-6.0 s ->
6.8-7.7 s).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

import numpy as np

from commands.wheres.entry import Entry

# The model reads at most 512 tokens; past this many characters the text adds nothing.
PASSAGE_CHARS = 1500
# What the model reads of a question. Its time grows with the length (measured, one thread,
# idle machine: about 1.1 ms per token up to 64 tokens, 0.4 s at 256, 1 s at 480), and
# questions as people type them stay far below this (the evaluation sets' longest is 159
# characters, 40 tokens): the cap bounds what a pasted mail or document costs (~60 tokens).
QUESTION_CHARS = 240


def passage_text(entry: Entry) -> str:
    parts = [entry.question, *entry.aliases, ", ".join(entry.keywords), entry.answer]
    return ". ".join(p for p in parts if p)[:PASSAGE_CHARS]


def core_text(entry: Entry) -> str:
    """What the entry is about: its question, aliases and keywords, without the answer."""
    parts = [entry.question, *entry.aliases, ", ".join(entry.keywords)]
    return ". ".join(p for p in parts if p)[:PASSAGE_CHARS]


def passage_texts(entry: Entry) -> tuple[str, str]:
    """The two views of an entry the model embeds (see the module docstring)."""
    return passage_text(entry), core_text(entry)


def entry_hash(texts: tuple[str, str]) -> str:
    """The key of an entry's stored vector: both views (a vector of the whole entry alone,
    stored by an earlier version, never matches it)."""
    return text_hash("two views\x1f" + "\x1f".join(texts))


def embed_entries(embed: Callable[..., np.ndarray], texts: Sequence[tuple[str, str]]
                  ) -> np.ndarray:
    """One unit vector per entry: the normalised sum of its two views' vectors. ``embed``
    is an ``Embedder.embed``."""
    if not texts:
        return np.zeros((0, 0), dtype=np.float32)
    matrix = embed([t for pair in texts for t in pair], query=False)
    summed = matrix.reshape(len(texts), 2, -1).sum(axis=1)
    norms = np.linalg.norm(summed, axis=1, keepdims=True)
    return (summed / np.where(norms == 0, 1.0, norms)).astype(np.float32)


def question_text(question: str) -> str:
    """The question as the model reads it: spaces collapsed; a longer text keeps its start
    and its end (a long message usually opens with context and ends with the question)."""
    text = " ".join(question.split())
    if len(text) <= QUESTION_CHARS:
        return text
    half = QUESTION_CHARS // 2
    head = text[:half].rsplit(" ", 1)[0] if " " in text[:half] else text[:half]
    tail = text[-half:].split(" ", 1)[-1] if " " in text[-half:] else text[-half:]
    return f"{head} ... {tail}"


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


class VectorIndex:
    """Entry id -> (text hash, unit vector). The stacked matrix is cached until a change."""

    def __init__(self) -> None:
        self._rows: dict[str, tuple[str, np.ndarray]] = {}
        self._stack: tuple[list[str], np.ndarray] | None = None
        self.version = 0  # bumped by every change (``Semantic.ready`` caches on it)

    def __len__(self) -> int:
        return len(self._rows)

    def hash_of(self, entry_id: str) -> str | None:
        row = self._rows.get(entry_id)
        return row[0] if row else None

    def put(self, entry_id: str, digest: str, vector: np.ndarray) -> None:
        self._rows[entry_id] = (digest, np.asarray(vector, dtype=np.float32))
        self._stack = None
        self.version += 1

    def keep_only(self, ids: set[str]) -> None:
        for gone in self._rows.keys() - ids:
            del self._rows[gone]
            self._stack = None
            self.version += 1

    def covers(self, wanted: dict[str, str]) -> bool:
        """Every wanted entry has a vector of its current text."""
        return all(self.hash_of(i) == h for i, h in wanted.items())

    def similarities(self, query: np.ndarray) -> dict[str, float]:
        """Cosine similarity of the (unit) query vector to every entry."""
        if self._stack is None:
            ids = list(self._rows)
            matrix = (np.vstack([self._rows[i][1] for i in ids]) if ids
                      else np.zeros((0, query.shape[-1]), dtype=np.float32))
            self._stack = (ids, matrix)
        ids, matrix = self._stack
        if not ids:
            return {}
        return dict(zip(ids, (matrix @ query.astype(np.float32)).tolist(), strict=True))

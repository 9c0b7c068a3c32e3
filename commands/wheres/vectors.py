"""Entry vectors in memory: one row per entry, keyed by the hash of the text embedded.

``passage_text`` is what the model sees of an entry (question, aliases, keywords, answer);
its hash (with the model name) keys the stored vector, so an unchanged entry is never
embedded twice, across restarts and processes. ``VectorIndex`` answers "how similar is this
question to every entry" with one matrix product.
"""

from __future__ import annotations

import hashlib

import numpy as np

from commands.wheres.entry import Entry

# The model reads at most 512 tokens; past this many characters the text adds nothing.
PASSAGE_CHARS = 1500


def passage_text(entry: Entry) -> str:
    parts = [entry.question, *entry.aliases, ", ".join(entry.keywords), entry.answer]
    return ". ".join(p for p in parts if p)[:PASSAGE_CHARS]


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


class VectorIndex:
    """Entry id -> (text hash, unit vector). The stacked matrix is cached until a change."""

    def __init__(self) -> None:
        self._rows: dict[str, tuple[str, np.ndarray]] = {}
        self._stack: tuple[list[str], np.ndarray] | None = None

    def __len__(self) -> int:
        return len(self._rows)

    def hash_of(self, entry_id: str) -> str | None:
        row = self._rows.get(entry_id)
        return row[0] if row else None

    def put(self, entry_id: str, digest: str, vector: np.ndarray) -> None:
        self._rows[entry_id] = (digest, np.asarray(vector, dtype=np.float32))
        self._stack = None

    def keep_only(self, ids: set[str]) -> None:
        for gone in self._rows.keys() - ids:
            del self._rows[gone]
            self._stack = None

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

"""Optional semantic re-ranking of the matcher's best candidates (sentence-transformers).

Off unless ``[wheres] reranker_model`` names a local model directory (for example a
multilingual MiniLM saved with ``model.save(path)``); nothing is ever downloaded. The
re-ranker never finds entries the matcher did not: it re-orders the matcher's few best
candidates and blends the cosine similarity into their score and confidence, so the margin
and abstention rules still decide. sentence-transformers is not a dependency of hartslag:
install it yourself when you turn this on.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from commands.wheres.index import FaqIndex, Ranked


class Reranker(Protocol):
    def similarities(self, question: str, texts: Sequence[str]) -> list[float]:
        """Cosine similarity (-1..1) of the question to each text."""
        ...


class SentenceTransformerReranker:
    """A sentence-transformers bi-encoder loaded from a local directory."""

    def __init__(self, path: str) -> None:
        if not Path(path).is_dir():
            raise RuntimeError(f"wheres.reranker_model: {path!r} is not a local model directory")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError:
            raise RuntimeError(
                "wheres.reranker_model is set but sentence-transformers is not installed "
                "(pip install sentence-transformers)"
            ) from None
        self._model: Any = SentenceTransformer(path, device="cpu")

    def similarities(self, question: str, texts: Sequence[str]) -> list[float]:
        vectors = self._model.encode([question, *texts], normalize_embeddings=True)
        return [float(v @ vectors[0]) for v in vectors[1:]]


def rerank(
    index: FaqIndex, question: str, ranked: list[Ranked], reranker: Reranker, *, weight: float
) -> list[Ranked]:
    """Blend semantic similarity into the matcher's candidates and re-order them."""
    entries = [index.get(entry_id) for entry_id, _, _ in ranked]
    texts = [
        " ".join((e.question, *e.aliases, e.answer)) if e is not None else ""
        for e in entries
    ]
    if not texts:
        return ranked
    out = []
    for (entry_id, raw, confidence), similarity in zip(
        ranked, reranker.similarities(question, texts), strict=True
    ):
        if confidence >= 1.0:  # an exact question or alias stays certain
            out.append((entry_id, raw, confidence))
            continue
        s = max(0.0, similarity)
        out.append((entry_id, raw * (1 - weight + weight * 2 * s),
                    (1 - weight) * confidence + weight * s))
    out.sort(key=lambda item: (-item[1], item[0]))
    return out

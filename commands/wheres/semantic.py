"""The semantic layer of one process: the model, the entry vectors and their background build.

Vectors live in the database keyed by model and text hash (``storage.faq.FaqVector``): on a
restart or after an import only texts never embedded before go through the model. The build
runs as an asyncio task whose model calls run in a worker thread, so start-up and lookups
never wait for it; until every entry has a vector of its current text, lookups are lexical
only (a half-built layer would favour the entries that happen to have vectors).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping

import numpy as np

from commands.context import Context
from commands.logsafe import error_fields
from commands.wheres.embedder import Models
from commands.wheres.entry import Entry
from commands.wheres.vectors import PASSAGE_CHARS, VectorIndex, passage_text, text_hash
from storage.faq import FaqRepository

log = logging.getLogger(__name__)

# Entries embedded per worker-thread call and per database write: small enough that a
# crash loses little, large enough for the engine's batch speed-up.
BATCH = 16


class Semantic:
    """Entry vectors kept in step with the lexical index; ``ready`` once all are there."""

    def __init__(self, models: Models) -> None:
        self.models = models
        self.vectors = VectorIndex()
        self._wanted: dict[str, str] = {}  # entry id -> hash of its current text
        self._texts: dict[str, str] = {}
        self._task: asyncio.Task[None] | None = None
        self._again = False

    @property
    def ready(self) -> bool:
        return bool(self._wanted) and self.vectors.covers(self._wanted)

    def refresh(self, ctx: Context, entries: Mapping[str, Entry]) -> None:
        """Note the entries' current texts and start a background build when any lacks its
        vector. Returns at once."""
        self._texts = {i: passage_text(e) for i, e in entries.items()}
        self._wanted = {i: text_hash(t) for i, t in self._texts.items()}
        self.vectors.keep_only(set(self._wanted))
        if self.vectors.covers(self._wanted):
            return
        if self._task is not None and not self._task.done():
            self._again = True  # the running build picks the new texts up when it ends
            return
        self._task = asyncio.create_task(self._build(ctx), name="wheres-vectors")

    async def wait(self) -> None:
        """Until the current build is done (tests, the CLI)."""
        while self._task is not None and not self._task.done():
            await asyncio.shield(self._task)

    async def similarities(self, question: str) -> dict[str, float] | None:
        """Similarity of the question to every entry, or None while vectors are missing."""
        if not self.ready:
            return None
        # The model reads 512 tokens at most: a pasted document costs no more than that.
        vector = await asyncio.to_thread(self.models.query.embed, [question[:PASSAGE_CHARS]],
                                         query=True)
        return self.vectors.similarities(vector[0])

    async def _build(self, ctx: Context) -> None:
        try:
            while True:
                self._again = False
                await self._fill(ctx)
                if not self._again:
                    break
            await ctx.store.repo(FaqRepository).prune_vectors(
                self.models.name, set(self._wanted.values()))
        except Exception as exc:  # a failed build leaves lexical matching; it retries on a change
            log.error("wheres: building entry vectors failed", extra=error_fields(exc))

    async def _fill(self, ctx: Context) -> None:
        repo = ctx.store.repo(FaqRepository)
        name = self.models.name
        # A snapshot: ``refresh`` may replace the texts while this build awaits.
        texts, wanted = dict(self._texts), dict(self._wanted)
        missing = {i: h for i, h in wanted.items() if self.vectors.hash_of(i) != h}
        stored = await repo.vectors(name, missing.values())
        for entry_id, digest in list(missing.items()):
            if digest in stored:
                self.vectors.put(entry_id, digest, np.frombuffer(stored[digest], np.float32))
                del missing[entry_id]
        ids = list(missing)
        if ids:
            log.info("wheres: embedding %d entries in the background", len(ids))
        for start in range(0, len(ids), BATCH):
            chunk = ids[start:start + BATCH]
            matrix = await asyncio.to_thread(self.models.build.embed, [texts[i] for i in chunk],
                                             query=False)
            blobs = {missing[i]: row.astype("<f4").tobytes() for i, row in zip(chunk, matrix,
                                                                                strict=True)}
            await repo.put_vectors(name, blobs, dim=int(matrix.shape[1]))
            for entry_id, row in zip(chunk, matrix, strict=True):
                self.vectors.put(entry_id, missing[entry_id], row)

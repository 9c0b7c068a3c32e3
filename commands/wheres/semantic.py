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
from collections import OrderedDict
from collections.abc import Mapping

import numpy as np

from commands.context import Context
from commands.logsafe import error_fields
from commands.wheres.embedder import Models
from commands.wheres.entry import Entry
from commands.wheres.vectors import (
    VectorIndex,
    embed_entries,
    entry_hash,
    passage_texts,
    question_text,
    text_hash,
)
from storage.faq import FaqRepository

log = logging.getLogger(__name__)

# Entries embedded per worker-thread call and per database write: small enough that a
# crash loses little, large enough for the engine's batch speed-up.
BATCH = 16
# Question vectors kept, by hash of the text embedded (employees ask the same things; a
# repeat then costs a matrix product, not the model). 256 x 384 floats: 0.4 MB.
RECENT = 256


class Semantic:
    """Entry vectors kept in step with the lexical index; ``ready`` once all are there."""

    def __init__(self, models: Models) -> None:
        self.models = models
        self.vectors = VectorIndex()
        self._wanted: dict[str, str] = {}  # entry id -> hash of its current texts
        self._texts: dict[str, tuple[str, str]] = {}
        self._task: asyncio.Task[None] | None = None
        self._again = False
        self._recent: OrderedDict[str, np.ndarray] = OrderedDict()
        # (refresh generation, vector index version) at which ``ready`` last held: a
        # lookup must not walk 5,000 entries to learn that nothing changed.
        self._ready_at: tuple[int, int] | None = None
        self._generation = 0  # bumped by every ``refresh``

    @property
    def ready(self) -> bool:
        stamp = (self._generation, self.vectors.version)
        if self._ready_at == stamp:
            return True
        done = bool(self._wanted) and self.vectors.covers(self._wanted)
        self._ready_at = stamp if done else None
        return done

    def refresh(self, ctx: Context, entries: Mapping[str, Entry]) -> None:
        """Note the entries' current texts and start a background build when any lacks its
        vector. Returns at once."""
        self._texts = {i: passage_texts(e) for i, e in entries.items()}
        self._wanted = {i: entry_hash(t) for i, t in self._texts.items()}
        self._generation += 1
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
        text = question_text(question)
        key = text_hash(text)
        vector = self._recent.get(key)
        if vector is None:
            vector = (await asyncio.to_thread(self.models.query.embed, [text], query=True))[0]
            self._recent[key] = vector
            if len(self._recent) > RECENT:
                self._recent.popitem(last=False)
        else:
            self._recent.move_to_end(key)
        return self.vectors.similarities(vector)

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
            matrix = await asyncio.to_thread(embed_entries, self.models.build.embed,
                                             [texts[i] for i in chunk])
            blobs = {missing[i]: row.astype("<f4").tobytes() for i, row in zip(chunk, matrix,
                                                                                strict=True)}
            await repo.put_vectors(name, blobs, dim=int(matrix.shape[1]))
            for entry_id, row in zip(chunk, matrix, strict=True):
                self.vectors.put(entry_id, missing[entry_id], row)

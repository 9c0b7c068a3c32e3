"""The knowledge base of one process: the repository plus an in-memory index kept in sync.

One ``Knowledge`` is made by ``register(router)`` (no globals). Before each lookup it asks
the database for a cheap stamp (count and last change); when another process (``hartslag
faq import``, a second instance) changed entries, only those entries are re-indexed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from commands.context import Context
from commands.wheres.blend import certain, decide, in_language
from commands.wheres.embedder import Models, load
from commands.wheres.entry import Entry, Match
from commands.wheres.index import FaqIndex
from commands.wheres.language import guess_lang
from commands.wheres.rerank import Reranker, SentenceTransformerReranker, rerank
from commands.wheres.semantic import Semantic
from commands.wheres.settings import WheresSettings
from commands.wheres.synonyms import build_synonyms, load_groups
from commands.wheres.text import normalise
from storage.faq import FaqRepository, UpsertResult

# More changed entries than this rebuild the index off the event loop instead of in place.
BULK = 200


@dataclass(frozen=True, slots=True)
class Asked:
    """A question and the verdict; ``question_id`` is the stored (anonymous) question row."""

    match: Match
    question_id: int | None


def repo(ctx: Context) -> FaqRepository:
    return ctx.store.repo(FaqRepository)


def settings_of(ctx: Context) -> WheresSettings:
    return ctx.settings.get(WheresSettings)


def build_index(settings: WheresSettings) -> FaqIndex:
    groups = [list(g) for g in settings.synonyms]
    if settings.synonyms_file:
        groups += load_groups(Path(settings.synonyms_file))
    synonyms = build_synonyms(groups, defaults=settings.builtin_synonyms)
    return FaqIndex(synonyms=synonyms, tuning=settings.tuning())


class Knowledge:
    """Index + repository. Writes go to the database first, then to the index."""

    def __init__(self, *, reranker: Reranker | None = None, models: Models | None = None) -> None:
        """``models``: an already loaded embedding model (tests, a shared instance); else
        ``[wheres] embedding_model`` is loaded on first use."""
        self._reranker = reranker
        self._semantic: Semantic | None = Semantic(models) if models is not None else None
        self._semantic_loaded = models is not None
        self._index: FaqIndex | None = None
        self._versions: dict[str, datetime] = {}
        self._stamp: tuple[int, str] | None = None
        self._lock = asyncio.Lock()

    async def index(self, ctx: Context, *, force: bool = False) -> FaqIndex:
        """The index, brought up to date with the database (incrementally)."""
        async with self._lock:
            stamp = await repo(ctx).stamp()
            if self._index is None or force or stamp != self._stamp:
                self._index = await self._sync(ctx, self._index)
                self._stamp = stamp
                semantic = await self.semantic(ctx)
                if semantic is not None:
                    semantic.refresh(ctx, _Entries(self._index))
            return self._index

    async def semantic(self, ctx: Context) -> Semantic | None:
        """The semantic layer, loaded once (off the event loop); None when off or broken."""
        if not self._semantic_loaded:
            self._semantic_loaded = True
            models = await asyncio.to_thread(load, settings_of(ctx).embedding_model)
            self._semantic = Semantic(models) if models is not None else None
        return self._semantic

    async def built(self) -> None:
        """Until the entry vectors this instance started building are stored: a caller that
        seeds a knowledge base and goes (the demo, an import script) leaves no build behind
        that finishes at some later moment."""
        if self._semantic is not None:
            await self._semantic.wait()

    async def _sync(self, ctx: Context, index: FaqIndex | None) -> FaqIndex:
        versions = await repo(ctx).versions()
        changed = [i for i, at in versions.items() if self._versions.get(i) != at]
        if index is None or len(changed) > BULK:
            # Many changes (start-up, a big import): build a new index in a worker thread so
            # the event loop keeps serving, then swap; lookups in flight keep the old one.
            fresh = build_index(settings_of(ctx))
            await asyncio.to_thread(fresh.put_many, await repo(ctx).entries())
            self._versions = versions
            return fresh
        for gone in self._versions.keys() - versions.keys():
            index.remove(gone)
        if changed:
            index.put_many(await repo(ctx).entries(changed))
        self._versions = versions
        return index

    async def match(self, ctx: Context, question: str, *, lang: str | None) -> Match:
        """The verdict on a question; ``lang`` (the asker's) picks among translations, unless
        the question's own words tell its language."""
        index = await self.index(ctx)
        lang = guess_lang(question) or lang
        ranked = index.rank(question, lang=lang)
        entries = _Entries(index)
        semantic = self._semantic
        if semantic is not None and semantic.ready:
            lexical, blend = index.verdict(ranked), settings_of(ctx).blend()
            if certain(lexical, blend):
                # Convincing words: the model (most of a lookup's time) is not asked.
                return in_language(entries, lexical, lang)
            sims = await semantic.similarities(question)
            if sims is not None:
                return decide(entries, lexical, ranked, sims, blend, lang=lang)
        reranker = self._reranker_for(ctx)
        if reranker is not None and ranked:
            weight = settings_of(ctx).reranker_weight
            # A model runs for tens of milliseconds: keep it off the event loop.
            ranked = await asyncio.to_thread(rerank, index, question, ranked, reranker,
                                             weight=weight)
        return in_language(entries, index.verdict(ranked), lang)

    def _reranker_for(self, ctx: Context) -> Reranker | None:
        if self._reranker is None and settings_of(ctx).reranker_model:
            self._reranker = SentenceTransformerReranker(settings_of(ctx).reranker_model)
        return self._reranker

    async def ask(self, ctx: Context, question: str) -> Asked:
        """Match and record the question (never who asked it)."""
        match = await self.match(ctx, question, lang=ctx.locale)
        suggestion = match.candidates[0][0] if match.candidates else None
        question_id = await repo(ctx).record_question(
            question.strip(), key=normalise(question), entry_id=match.entry_id,
            suggestion=None if match.entry_id else suggestion, score=match.score,
            outcome="answered" if match.entry_id else "unanswered", now=ctx.clock.now(),
        )
        return Asked(match, question_id)

    async def entry(self, ctx: Context, entry_id: str) -> Entry | None:
        return (await self.index(ctx)).get(entry_id)

    async def put(self, ctx: Context, entry: Entry) -> UpsertResult:
        result = await repo(ctx).upsert(entry, now=ctx.clock.now())
        await self.refresh(ctx)
        return result

    async def remove(self, ctx: Context, entry_id: str) -> bool:
        removed = await repo(ctx).remove(entry_id)
        await self.refresh(ctx)
        return removed

    async def add_alias(self, ctx: Context, entry_id: str, text: str) -> bool:
        added = await repo(ctx).add_alias(entry_id, text.strip()[:500], now=ctx.clock.now())
        await self.refresh(ctx)
        return added

    async def refresh(self, ctx: Context) -> None:
        """Apply our own change now. (The stamp check finds other processes' changes; it
        could miss one made within the same clock tick as the previous one, ours cannot.)"""
        await self.index(ctx, force=True)


class _Entries(Mapping[str, Entry]):
    """The index's entries as a read-only mapping (no copy per question)."""

    def __init__(self, index: FaqIndex) -> None:
        self._index = index

    def __getitem__(self, entry_id: str) -> Entry:
        entry = self._index.get(entry_id)
        if entry is None:
            raise KeyError(entry_id)
        return entry

    def __iter__(self) -> Iterator[str]:
        return iter([e.id for e in self._index.entries()])

    def __len__(self) -> int:
        return len(self._index)

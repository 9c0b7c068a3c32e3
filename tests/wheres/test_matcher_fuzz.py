"""Any text is a question: the matcher never raises and keeps its contract (bounded runs)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from commands.wheres.entry import Entry
from commands.wheres.index import FaqIndex
from tests.wheres.test_matcher import ENTRIES

INDEX = FaqIndex()
INDEX.put_many(ENTRIES)
WORDS = st.sampled_from(["thuiswerkvergoeding", "raad", "printer", "declareren", "ge", "en",
                         "parkeergarage", "waar", "-", "ë", "123", "x" * 40, "ICT-probleem"])


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=200), st.lists(WORDS, max_size=12).map(" ".join)))
def test_any_question_gets_a_verdict(question: str) -> None:
    match = INDEX.match(question)
    assert match.entry_id is None or match.entry_id in INDEX
    assert 0.0 <= match.score <= 1.0
    assert match.entry_id not in match.alternatives
    assert len(match.alternatives) <= 3


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.text(min_size=1, max_size=60), st.text(min_size=1, max_size=80)),
                min_size=1, max_size=8))
def test_any_entries_can_be_indexed_edited_and_removed(texts: list[tuple[str, str]]) -> None:
    index = FaqIndex()
    for i, (question, answer) in enumerate(texts):
        index.put(Entry(f"e{i}", question, answer, keywords=(answer[:10],)))
    for i, (question, _) in enumerate(texts):
        index.match(question)
        index.put(Entry(f"e{i}", answer_of(texts, i), question))
    for i in range(len(texts)):
        assert index.remove(f"e{i}")
    assert len(index) == 0 and index.match("anything").entry_id is None


def answer_of(texts: list[tuple[str, str]], i: int) -> str:
    return texts[i][1]

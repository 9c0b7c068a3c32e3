"""The matcher on its own: forms, compounds, typos, synonyms, abstention, updates."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

from commands.wheres.entry import Entry
from commands.wheres.index import FaqIndex
from commands.wheres.kbfile import parse_file
from commands.wheres.synonyms import build_synonyms
from commands.wheres.text import normalise, words
from tests.wheres.conftest import SAMPLE_KB, sample_text

SAMPLE_QUESTIONS = SAMPLE_KB.parent / "sample-questions.tsv"

ENTRIES = [
    Entry("thuiswerk", "Hoe krijg ik de thuiswerkvergoeding?",
          "De thuiswerkvergoeding staat automatisch op je loonstrook.", keywords=("thuiswerk",)),
    Entry("parkeren", "Waar mag ik parkeren bij het stadskantoor?",
          "Medewerkers parkeren in de garage onder het stadskantoor.",
          keywords=("parkeergarage",)),
    Entry("raad", "Wanneer is de raadsvergadering?",
          "De vergaderkalender staat op de raadsinformatiepagina."),
    Entry("declaratie", "Hoe declareer ik reiskosten?",
          "Reiskosten declareer je in het HR-portaal onder Declaraties.",
          keywords=("declaratie", "reiskosten")),
    Entry("printer", "Hoe installeer ik een printer?", "Printers voeg je toe via Software Center.",
          keywords=("printer", "printen"), lang="nl"),
]


def index_of(entries: list[Entry]) -> FaqIndex:
    index = FaqIndex()
    index.put_many(entries)
    return index


def test_normalisation_drops_case_accents_and_punctuation() -> None:
    assert words("Vóór 8.30 uur: ICT-probleem!") == ["voor", "8", "30", "uur", "ict",
                                                      "probleem", "ictprobleem"]
    assert normalise("Waar vind ik de Gedragscode?") == normalise("waar vind ik de gedragscode")


def test_compound_in_entry_found_from_its_parts() -> None:
    match = index_of(ENTRIES).match("thuiswerken vergoeding")
    assert match.entry_id == "thuiswerk"


def test_compound_in_question_split_into_known_words() -> None:
    match = index_of(ENTRIES).match("reiskostendeclaratie indienen")
    assert match.entry_id == "declaratie"


def test_linking_s_between_parts() -> None:
    assert index_of(ENTRIES).match("vergadering raad").entry_id == "raad"


def test_word_forms_and_typos() -> None:
    index = index_of(ENTRIES)
    assert index.match("printers installeren").entry_id == "printer"
    assert index.match("thuiswerkvergoednig").entry_id == "thuiswerk"  # swapped letters
    assert index.match("parkeeren stadskantor").entry_id == "parkeren"


def test_english_through_synonyms() -> None:
    assert index_of(ENTRIES).match("travel expenses claim").entry_id == "declaratie"


def test_configured_synonyms_extend_the_builtin_ones() -> None:
    plain = index_of(ENTRIES)
    assert plain.match("fietsenstalling").entry_id is None
    extended = FaqIndex(synonyms=build_synonyms([["fietsenstalling", "parkeren"]]))
    extended.put_many(ENTRIES)
    assert extended.match("fietsenstalling").entry_id == "parkeren"


def test_out_of_scope_questions_get_no_answer() -> None:
    index = index_of(ENTRIES)
    for question in ("wie wint het songfestival", "hoe laat is het", "goedemorgen",
                     "what is the capital of france", "", "???"):
        match = index.match(question)
        assert match.entry_id is None, question


def test_exact_question_or_alias_is_certain() -> None:
    index = index_of(ENTRIES)
    assert index.match("Wanneer is de raadsvergadering?").score == 1.0
    index.put(Entry("raad", "Wanneer is de raadsvergadering?", "Zie de kalender.",
                    aliases=("wanneer vergaderen de politici",)))
    match = index.match("wanneer vergaderen de politici")
    assert (match.entry_id, match.score) == ("raad", 1.0)


def test_close_entries_come_back_as_alternatives() -> None:
    index = index_of([
        Entry("verlof-aanvragen", "Hoe vraag ik verlof aan?", "In het HR-portaal.",
              keywords=("verlof",)),
        Entry("verlof-saldo", "Hoeveel verlof heb ik nog?", "Je saldo staat in het HR-portaal.",
              keywords=("verlof", "saldo")),
        Entry("verlof-kopen", "Kan ik verlof kopen?", "Via het keuzebudget.",
              keywords=("verlof", "keuzebudget")),
    ])
    match = index.match("verlof saldo")
    assert match.entry_id == "verlof-saldo"
    assert set(match.alternatives) <= {"verlof-aanvragen", "verlof-kopen"}
    assert len(match.alternatives) <= 2
    vague = index.match("verlof")
    assert vague.entry_id is None  # three equally good entries: abstain, offer them
    assert len(vague.alternatives) >= 2


def test_incremental_edit_and_remove() -> None:
    index = index_of(ENTRIES)
    assert index.match("parkeergarage").entry_id == "parkeren"
    index.put(Entry("parkeren", "Waar parkeer ik mijn fiets?", "In de fietsenkelder.",
                    keywords=("fietsenkelder",)))
    assert index.match("parkeergarage").entry_id is None
    assert index.match("fietsenkelder").entry_id == "parkeren"
    assert index.remove("parkeren")
    assert index.match("fietsenkelder").entry_id is None
    assert "parkeren" not in index and len(index) == len(ENTRIES) - 1


def test_sample_accuracy_and_abstention() -> None:
    parsed = parse_file("sample-kb.yaml", sample_text())
    index = index_of(parsed.entries)
    text = Path(SAMPLE_QUESTIONS).read_text(encoding="utf-8")
    rows = list(csv.DictReader(text.splitlines(), delimiter="\t"))
    in_scope = [r for r in rows if r["expect"] != "-"]
    out_of_scope = [r for r in rows if r["expect"] == "-"]
    correct = sum(index.match(r["question"]).entry_id == r["expect"] for r in in_scope)
    assert correct / len(in_scope) >= 0.90
    assert all(index.match(r["question"]).entry_id is None for r in out_of_scope)


def test_asker_language_breaks_a_tie_between_translations() -> None:
    index = index_of([
        Entry("kamer-nl", "Vergaderruimte boeken (meeting room)", "Via Outlook.", lang="nl"),
        Entry("kamer-en", "Vergaderruimte boeken (meeting room)", "In Outlook.", lang="en"),
    ])
    assert index.match("meeting room").entry_id is None  # a tie: cannot tell
    assert index.match("meeting room", lang="en").entry_id == "kamer-en"
    assert index.match("meeting room", lang="nl").entry_id == "kamer-nl"


def test_reranker_reorders_candidates_but_keeps_exact_matches() -> None:
    from commands.wheres.rerank import rerank

    class Prefers:
        def __init__(self, word: str) -> None:
            self.word = word

        def similarities(self, question: str, texts: Sequence[str]) -> list[float]:
            return [1.0 if self.word in t else 0.0 for t in texts]

    index = index_of(ENTRIES)
    ranked = index.rank("reiskosten printer")
    assert {r[0] for r in ranked[:2]} == {"declaratie", "printer"}
    first = ranked[0][0]
    other = next(r[0] for r in ranked if r[0] != first)
    word = index.get(other).answer.split()[0]  # type: ignore[union-attr]
    reordered = rerank(index, "reiskosten printer", ranked, Prefers(word), weight=0.9)
    assert reordered[0][0] == other
    exact = index.rank("Hoe declareer ik reiskosten?")
    assert rerank(index, "Hoe declareer ik reiskosten?", exact, Prefers("Printers"),
                  weight=0.9)[0][0] == "declaratie"

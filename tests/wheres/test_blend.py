"""The blended verdict without a model: cross-lingual correction, twins, abstention."""

from __future__ import annotations

from commands.wheres.blend import Blend, blended, certain, decide
from commands.wheres.entry import Entry, Match

ENTRIES = {
    "verlof": Entry("verlof", "Hoe vraag ik verlof aan?", "In P-Direkt."),
    "leave-en": Entry("leave-en", "How do I request leave?", "In P-Direkt.", lang="en",
                      twin="verlof"),
    "parkeren": Entry("parkeren", "Waar kan ik parkeren?", "In de garage."),
    "wifi-en": Entry("wifi-en", "How do guests get wifi?", "Ask reception.", lang="en"),
}
NO_LEXICAL = Match(None, 0.0, (), ())


def test_an_entry_in_another_language_gets_the_cross_lingual_correction() -> None:
    # The model scores a Dutch entry lower for an English question than an English one.
    sims = {"parkeren": 0.85, "wifi-en": 0.86, "verlof": 0.70, "leave-en": 0.70}
    plain = blended(ENTRIES, [], sims, Blend(cross_lingual=0.0), lang="en")
    corrected = blended(ENTRIES, [], sims, Blend(cross_lingual=0.03), lang="en")
    assert plain[0][0] == "wifi-en"
    assert corrected[0][0] == "parkeren"
    # No language known: no correction.
    assert blended(ENTRIES, [], sims, Blend(cross_lingual=0.03))[0][0] == "wifi-en"


def test_the_correction_lifts_a_cross_lingual_answer_over_the_bar() -> None:
    sims = {"parkeren": 0.86, "wifi-en": 0.70, "verlof": 0.70, "leave-en": 0.70}
    blend = Blend(lexical_weight=0.0, floor=0.78, full=0.9, min_score=0.8, clear_margin=1.0,
                  cross_lingual=0.0)
    assert decide(ENTRIES, NO_LEXICAL, [], sims, blend, lang="en").entry_id is None
    with_correction = Blend(lexical_weight=0.0, floor=0.78, full=0.9, min_score=0.8,
                            clear_margin=1.0, cross_lingual=0.03)
    assert decide(ENTRIES, NO_LEXICAL, [], sims, with_correction, lang="en").entry_id == (
        "parkeren")


def test_twins_answer_as_one_in_the_askers_language_and_never_as_alternative() -> None:
    sims = {"verlof": 0.90, "leave-en": 0.88, "parkeren": 0.70, "wifi-en": 0.70}
    blend = Blend(lexical_weight=0.0, min_score=0.5, cross_lingual=0.03)
    english = decide(ENTRIES, NO_LEXICAL, [], sims, blend, lang="en")
    dutch = decide(ENTRIES, NO_LEXICAL, [], sims, blend, lang="nl")
    assert (english.entry_id, dutch.entry_id) == ("leave-en", "verlof")
    for match in (english, dutch):
        assert not {"verlof", "leave-en"} & set(match.alternatives)


def test_low_similarity_everywhere_abstains() -> None:
    sims = dict.fromkeys(ENTRIES, 0.79)
    match = decide(ENTRIES, NO_LEXICAL, [], sims, Blend(cross_lingual=0.045), lang="en")
    assert match.entry_id is None


def test_convincing_words_stand_when_the_model_scores_low() -> None:
    sims = dict.fromkeys(ENTRIES, 0.70)
    ranked = [("parkeren", 5.0, 0.8)]
    assert decide(ENTRIES, NO_LEXICAL, ranked, sims, Blend(lexical_alone=0.0),
                  lang="nl").entry_id is None
    assert decide(ENTRIES, NO_LEXICAL, ranked, sims, Blend(lexical_alone=0.9),
                  lang="nl").entry_id == "parkeren"


def test_the_settings_defaults_are_the_blend_defaults() -> None:
    from commands.wheres.settings import WheresSettings

    assert WheresSettings().blend() == Blend()


def test_a_certain_lexical_answer_stands_whatever_the_similarities() -> None:
    lexical = Match("parkeren", 0.95, (), (("parkeren", 0.95),))
    # The model prefers another entry; below the bar the blend would follow it.
    sims = {"parkeren": 0.70, "wifi-en": 0.95, "verlof": 0.70, "leave-en": 0.70}
    blend = Blend(certain=0.9, confirm=1.0, lexical_alone=0.0)
    assert certain(lexical, blend)
    assert decide(ENTRIES, lexical, [], sims, blend, lang="nl").entry_id == "parkeren"
    never = Blend(certain=1.01, confirm=1.0, lexical_alone=0.0)
    assert not certain(lexical, never)
    assert decide(ENTRIES, lexical, [], sims, never, lang="nl").entry_id == "wifi-en"
    # An abstaining lexical verdict is never certain, however high its score.
    assert not certain(Match(None, 0.99, (), ()), blend)

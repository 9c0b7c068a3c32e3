"""Weights, thresholds and the tuning of the FAQ matcher (shared by index and query)."""

from __future__ import annotations

from dataclasses import dataclass

K1 = 1.2
B = 0.5
FIELD_WEIGHT = {"title": 3.0, "keywords": 3.0, "answer": 0.5}
FIELD_PIVOT = {"title": 5.0, "keywords": 4.0, "answer": 15.0}
# A unit that occurs once in a question of average length counts as fully covered.
SAT_FULL = FIELD_WEIGHT["title"] / (K1 + FIELD_WEIGHT["title"])

# Saturation cap of a word found only in an entry's answer (coverage 0.4 at most).
ANSWER_ONLY_SAT = 0.4 * SAT_FULL
# Coverage at which a unit counts as reaching the entry's question or keywords (an anchor).
ANCHOR_COVERAGE = 0.5
NO_ANCHOR_CAP = 0.3
# Weight of a light word (commands.wheres.text.LIGHT_WORDS) relative to a content word.
LIGHT_FACTOR = 0.3
# Raw bonus for entries in the asker's language (more than a tie, less than a margin).
LANG_PREFERENCE = 0.05
# Runner-up this close to the best: the matcher cannot tell them apart and abstains.
TIE_MARGIN = 0.03
# Entries kept for the verdict (the best plus alternatives and a margin check).
TOP_K = 4


@dataclass(frozen=True, slots=True)
class Tuning:
    """Weights and thresholds of the matcher (from ``[wheres]`` settings)."""

    min_confidence: float = 0.5
    sure_confidence: float = 0.8
    min_margin: float = 0.15
    alternative_ratio: float = 0.6
    alternative_confidence: float = 0.35
    hint_confidence: float = 0.25
    max_alternatives: int = 2
    synonym_weight: float = 0.8
    part_weight: float = 0.7
    split_weight: float = 0.85
    partial_weight: float = 0.45
    typo_weight: float = 0.7
    unknown_weight: float = 0.4

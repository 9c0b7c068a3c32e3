""""Where do I find X", declared (commands/feature.py). Listed last in commands/features.py:
its message handler answers every DM that no earlier feature took."""

from __future__ import annotations

from typing import TYPE_CHECKING

from commands.feature import DataKind, Feature
from commands.settings import SettingsBag
from commands.wheres.settings import WheresSettings
from storage.faq import FaqEntry, FaqQuestion, FaqVector

if TYPE_CHECKING:
    from commands.router import Router


def _register(router: Router) -> None:
    from commands.wheres import register

    register(router)


def _problems(settings: SettingsBag) -> list[str]:
    # Imported when /healthz asks: the embedder module is not needed to start.
    from commands.wheres.embedder import problems

    return list(problems())


FEATURE = Feature(
    name="wheres",
    register=_register,
    settings=WheresSettings,
    tables=(FaqEntry, FaqVector, FaqQuestion),
    migrations="wheres",
    privacy=(
        DataKind("Knowledge base", ("faq_entry",), "questions, answers, owners", "staff",
                 "until removed by command"),
        DataKind("Knowledge-base vectors", ("faq_vector",),
                 "the embedding of each entry text, keyed by model and text hash", "none",
                 "deleted when no entry uses the text any more"),
        DataKind("Questions asked", ("faq_question",),
                 "question text, matched entry, feedback, the day; never who asked", "none",
                 "wheres.question_retention_days"),
    ),
    cli=("bots.cli_faq",),
    problems=_problems,
)

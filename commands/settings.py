"""Typed settings by section, without ``commands/`` importing the composition root.

Each feature defines its own frozen pydantic model (``commands/<feature>/settings.py``); the
root config in ``bots/config.py`` parses them and hands them over in a ``SettingsBag``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)


class SettingsBag:
    """Look up a settings section by its model class; missing sections get their defaults."""

    def __init__(self, sections: Iterable[BaseModel] = ()) -> None:
        self._by_type: dict[type[BaseModel], BaseModel] = {type(s): s for s in sections}

    def get(self, model: type[M]) -> M:
        found = self._by_type.get(model)
        if found is None:
            found = model()
            self._by_type[model] = found
        assert isinstance(found, model)
        return found

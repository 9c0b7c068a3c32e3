"""The Matrix adapter (matrix-nio with end-to-end encryption)."""

from __future__ import annotations

from bots.adapter import AdapterDeps
from bots.matrix.adapter import MatrixAdapter
from bots.matrix.settings import MatrixSettings


def build_adapter(settings: MatrixSettings, deps: AdapterDeps) -> MatrixAdapter:
    """The composition root's factory (see ``bots/app.py``)."""
    return MatrixAdapter(settings, default_locale=deps.default_locale)


__all__ = ["MatrixAdapter", "build_adapter"]

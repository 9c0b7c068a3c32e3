"""The Matrix adapter (matrix-nio with end-to-end encryption).

``bots.config`` imports ``bots.matrix.settings``, which runs this file first: matrix-nio (and
its crypto) is imported inside ``build_adapter`` so a deployment without Matrix, and every
CLI command, never loads it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bots.adapter import AdapterDeps
    from bots.matrix.adapter import MatrixAdapter
    from bots.matrix.settings import MatrixSettings


def build_adapter(settings: MatrixSettings, deps: AdapterDeps) -> MatrixAdapter:
    """The composition root's factory (see ``bots/app.py``)."""
    from bots.matrix.adapter import MatrixAdapter

    return MatrixAdapter(settings, default_locale=deps.default_locale)


__all__ = ["build_adapter"]

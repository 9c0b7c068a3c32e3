"""Summaries run on the same organisation as the pulse tests."""

from __future__ import annotations

from tests.pulse.conftest import config

__all__ = ["config"]

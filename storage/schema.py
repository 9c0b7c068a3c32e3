"""Every table, imported so ``metadata`` is complete (Alembic, the schema test).

The platform's own table modules are imported here; a feature's tables come from its
manifest (``Feature.tables``, commands/features.py), so a new feature adds no line here.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Table

import storage.events
import storage.outbox
import storage.preferences
import storage.roles
import storage.scheduling
import storage.teams
from commands.feature import Feature
from commands.features import FEATURES
from storage.base import metadata

# The Alembic branches of the platform's own tables (imported above): 0001_core, off which
# every other branch hangs, the scheduler and outbox, and the Teams adapter's references.
PLATFORM_BRANCHES = ("core", "scheduling", "teams")


def migration_branches(features: Sequence[Feature] = FEATURES) -> tuple[str, ...]:
    """Every Alembic branch, the platform's first and then the manifests' (``Feature.migrations``),
    each once: each is one directory of storage/migrations/versions (storage/migrate.py)."""
    named = (feature.migrations for feature in features if feature.migrations)
    return tuple(dict.fromkeys((*PLATFORM_BRANCHES, *named)))


def feature_tables(features: Sequence[Feature] = FEATURES) -> tuple[Table, ...]:
    """The tables the features' manifests declare (``Feature.tables``), in list order."""
    return tuple(table.__table__ for feature in features  # type: ignore[attr-defined]
                 for table in feature.tables)


# Imported above with their manifests; a manifest table on another metadata (defined on a
# registry of its own) would be missing from the migrations and the schema test: fail now.
_missing = [t.name for t in feature_tables() if metadata.tables.get(t.name) is not t]
if _missing:
    raise RuntimeError(f"feature tables not on storage.base.metadata: {', '.join(_missing)}")

__all__ = ["PLATFORM_BRANCHES", "feature_tables", "metadata", "migration_branches", "storage"]

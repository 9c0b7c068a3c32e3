"""Every table module, imported so ``metadata`` is complete (Alembic, the schema test).

Add a line here when you add a table module.
"""

from __future__ import annotations

import storage.announcements
import storage.events
import storage.org
import storage.faq
import storage.outbox
import storage.preferences
import storage.pulse
import storage.roles
import storage.scheduling
import storage.signals
import storage.teams
from storage.base import metadata

__all__ = ["metadata", "storage"]

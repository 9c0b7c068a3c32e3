"""Every table module, imported so ``metadata`` is complete (Alembic, the schema test).

Add a line here when you add a table module.
"""

from __future__ import annotations

import storage.announcements
import storage.events
import storage.faq
import storage.notices
import storage.org
import storage.outbox
import storage.people
import storage.preferences
import storage.pulse
import storage.roles
import storage.scheduling
import storage.signals
import storage.teams
import storage.verbinden
from storage.base import metadata

__all__ = ["metadata", "storage"]

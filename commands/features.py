"""The features of this deployment: the one list that names them.

Each entry is a feature's manifest (``commands/<feature>/manifest.py``, a
``commands.feature.Feature``). The composition root registers them in this order, which is
also the order of ``help``; the config, the schema, the privacy report and the ``hartslag``
command take their parts from here. Adding a feature: its package and one line below.
"""

from __future__ import annotations

from commands.announcements.manifest import FEATURE as ANNOUNCEMENTS
from commands.core.manifest import FEATURE as CORE
from commands.feature import Feature
from commands.notices.manifest import FEATURE as NOTICES
from commands.org.manifest import FEATURE as ORG
from commands.privacy.manifest import FEATURE as PRIVACY
from commands.pulse.manifest import FEATURE as PULSE
from commands.signals.manifest import FEATURE as SIGNALS
from commands.summaries.manifest import FEATURE as SUMMARIES
from commands.verbinden.manifest import FEATURE as VERBINDEN
from commands.wheres.manifest import FEATURE as WHERES

FEATURES: tuple[Feature, ...] = (
    CORE,
    ANNOUNCEMENTS,
    SIGNALS,
    PULSE,
    SUMMARIES,
    ORG,
    NOTICES,
    PRIVACY,
    VERBINDEN,
    WHERES,  # last: it answers every DM nobody else took
)

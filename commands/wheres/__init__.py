""""Where do I find X": a knowledge base the comms team owns, answering in Dutch and English.

``register(router)`` wires the commands (``waar``/``where``, ``faq``), plain DMs and
mentions, the buttons (alternatives, feedback, alias confirmation) and the two job kinds
(``wheres.digest``, ``wheres.review``). Register this feature last: its message handler
answers every DM that no earlier handler took.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from commands.schedule import Trigger
from commands.settings import SettingsBag
from commands.wheres.settings import WheresSettings

if TYPE_CHECKING:
    from commands.router import Router


def register(router: Router) -> None:
    """Register every handler around one ``Knowledge`` per router (per app, no globals)."""
    # Imported here, not at module level: storage.faq imports the value module
    # commands.wheres.entry, and importing the package must not pull in the handlers
    # (which import storage.faq) or the two would import each other.
    from commands.wheres.admin import Admin, faq_command
    from commands.wheres.ask import Asking, where_command
    from commands.wheres.jobs import DIGEST, REVIEW, run_digest, run_review
    from commands.wheres.knowledge import Knowledge

    knowledge = Knowledge()
    asking = Asking(knowledge)
    admin = Admin(knowledge)
    router.tree(where_command(asking))
    # Roles are declared per subcommand: owners may confirm aliases and reviews.
    router.tree(faq_command(admin))
    router.message(asking.message)
    router.interaction("wheres.show", asking.show)
    router.interaction("wheres.feedback", asking.feedback)
    router.interaction("wheres.alias", admin.alias_button)
    # Standing: the digest also applies question retention, so it must exist from the start.
    router.job(DIGEST, run_digest, standing=_digest_trigger)
    router.job(REVIEW, run_review, standing=_review_trigger)


def _digest_trigger(settings: SettingsBag) -> Trigger:
    found = settings.get(WheresSettings)
    return Trigger("weekly", weekday=found.digest_weekday, time=found.digest_time)


def _review_trigger(settings: SettingsBag) -> Trigger:
    return Trigger("daily", time=settings.get(WheresSettings).review_time)

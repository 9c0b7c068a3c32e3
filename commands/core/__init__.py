"""Core commands every deployment has: help, language and role management."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from commands.router import Router


def register(router: Router) -> None:
    # Imported here: importing the manifests must not load the handlers.
    from commands.core.help import register as _register_help
    from commands.core.language import register as _register_language
    from commands.core.roles_command import register as _register_roles

    _register_help(router)
    _register_language(router)
    _register_roles(router)

"""Core commands every deployment has: help, language and role management."""

from __future__ import annotations

from commands.core.help import register as _register_help
from commands.core.language import register as _register_language
from commands.core.roles_command import register as _register_roles
from commands.router import Router


def register(router: Router) -> None:
    _register_help(router)
    _register_language(router)
    _register_roles(router)

"""Exceptions a handler raises to answer the caller without the generic apology."""

from __future__ import annotations


class UserError(Exception):
    """Bad input or a refused action: the router shows ``message`` to the caller as it is.

    ``message`` is already in the caller's language (features build it with their catalog) and
    says what was wrong and how to fix it. Nothing may have been stored when this is raised.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Refused(UserError):
    """The caller lacks a role; the message names the role that is needed."""

"""Templates written by people at run time (the comms team), rendered safely.

Jinja2's ``SandboxedEnvironment`` keeps templates away from Python internals and
``StrictUndefined`` turns a missing variable into an error instead of an empty string. Every
value a template prints is escaped with ``commands.markup.escape_text`` (markup and mass
mentions), unless the author explicitly allows mentions; the template's own text is the
author's Markdown and stays as written. Errors carry the line and a reason a person can act on.

Reusable by every feature: ``TemplateRenderer().render(source, variables)``.
"""

from __future__ import annotations

import types
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from jinja2 import StrictUndefined, TemplateSyntaxError, UndefinedError, meta
from jinja2.exceptions import SecurityError
from jinja2.exceptions import TemplateError as JinjaTemplateError
from jinja2.sandbox import SandboxedEnvironment

from commands.markup import escape_text, neutralise_mentions

MAX_SOURCE = 20_000
MAX_OUTPUT = 40_000
_TEMPLATE_FILE = "<template>"


@dataclass(frozen=True)
class TemplateProblem:
    """What is wrong with a template: ``kind`` is syntax, undefined, unsafe, too_long or
    error; ``line`` is 1-based where known."""

    kind: str
    reason: str
    line: int | None = None


class TemplateError(Exception):
    """Rendering failed; ``problem`` says where and why (callers translate it)."""

    def __init__(self, problem: TemplateProblem) -> None:
        super().__init__(f"line {problem.line}: {problem.reason}" if problem.line else problem.reason)
        self.problem = problem


class TemplateRenderer:
    """Sandboxed, strict rendering of people's templates into neutral Markdown."""

    def __init__(self) -> None:
        self._plain = self._environment(allow_mentions=False)
        self._mentions = self._environment(allow_mentions=True)

    @staticmethod
    def _environment(*, allow_mentions: bool) -> SandboxedEnvironment:
        def finalize(value: Any) -> str:
            return escape_text(str(value), allow_mentions=allow_mentions)

        return SandboxedEnvironment(
            undefined=StrictUndefined, autoescape=False, finalize=finalize,
            trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=False,
        )

    def variables(self, source: str) -> set[str]:
        """The variables ``source`` needs; raises TemplateError on a syntax error."""
        self._check_size(source)
        try:
            return set(meta.find_undeclared_variables(self._plain.parse(source)))
        except TemplateSyntaxError as exc:
            raise TemplateError(TemplateProblem("syntax", exc.message or "syntax", exc.lineno)) from None

    def render(
        self, source: str, variables: Mapping[str, object], *, allow_mentions: bool = False
    ) -> str:
        """Render ``source`` with ``variables`` (values escaped). Raises TemplateError."""
        self._check_size(source)
        env = self._mentions if allow_mentions else self._plain
        try:
            template = env.from_string(source)
        except TemplateSyntaxError as exc:
            raise TemplateError(TemplateProblem("syntax", exc.message or "syntax", exc.lineno)) from None
        try:
            text = template.render(dict(variables))
        except UndefinedError as exc:
            raise TemplateError(TemplateProblem("undefined", _undefined_reason(exc), _line(exc))) from None
        except SecurityError as exc:
            raise TemplateError(TemplateProblem("unsafe", str(exc), _line(exc))) from None
        except (JinjaTemplateError, ArithmeticError, TypeError, ValueError, LookupError) as exc:
            raise TemplateError(TemplateProblem("error", str(exc)[:200], _line(exc))) from None
        if len(text) > MAX_OUTPUT:
            raise TemplateError(TemplateProblem("too_long", f"more than {MAX_OUTPUT} characters"))
        return text if allow_mentions else neutralise_mentions(text)

    @staticmethod
    def _check_size(source: str) -> None:
        if len(source) > MAX_SOURCE:
            raise TemplateError(TemplateProblem("too_long", f"more than {MAX_SOURCE} characters"))


def _undefined_reason(exc: UndefinedError) -> str:
    # Jinja says "'naam' is undefined"; keep the name, the caller's catalog words the rest.
    message = str(exc)
    return message.split("'")[1] if message.count("'") >= 2 else message


def _line(exc: BaseException) -> int | None:
    """The template line of the innermost template frame of ``exc`` (Jinja rewrites the
    traceback so template frames carry the template's file name and line numbers)."""
    found: int | None = None
    tb: types.TracebackType | None = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == _TEMPLATE_FILE:
            found = tb.tb_lineno
        tb = tb.tb_next
    return found

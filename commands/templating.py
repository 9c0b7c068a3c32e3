"""Templates written by people at run time (the comms team), rendered safely.

Jinja2's ``SandboxedEnvironment`` keeps templates away from Python internals and
``StrictUndefined`` turns a missing variable into an error instead of an empty string. Every
value a template prints is escaped with ``commands.markup.escape_text`` (markup and mass
mentions), unless the author explicitly allows mentions; the template's own text is the
author's Markdown and stays as written. Errors carry the line and a reason a person can act on.

Reusable by every feature: ``TemplateRenderer().render(source, variables)``.
"""

from __future__ import annotations

import re
import types
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from jinja2 import StrictUndefined, TemplateSyntaxError, UndefinedError, meta, nodes, sandbox
from jinja2.exceptions import SecurityError
from jinja2.exceptions import TemplateError as JinjaTemplateError
from jinja2.sandbox import SandboxedEnvironment

from commands.markup import escape_text, neutralise_mentions

MAX_SOURCE = 20_000
MAX_OUTPUT = 40_000
_TEMPLATE_FILE = "<template>"


# Jinja's own syntax messages are English sentences; people get our words instead, built
# from what kind of mistake it is and the token it is about.
_SYNTAX: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("unclosed", re.compile(r"unexpected end of template.*?closed is '([^']+)'", re.I | re.S)),
    ("unclosed", re.compile(r"unexpected end of (template|print statement)", re.I)),
    ("tag", re.compile(r"unknown tag '([^']+)'")),
    ("filter", re.compile(r"no (?:filter|test) named '([^']+)'", re.I)),
    ("unexpected", re.compile(r"got '([^']+)'")),
    ("unexpected", re.compile(r"unexpected '([^']+)'")),
)
# What the sandbox refuses when a template runs, refused already when it is saved.
_UNSAFE_NAMES = frozenset().union(
    sandbox.UNSAFE_FUNCTION_ATTRIBUTES, sandbox.UNSAFE_METHOD_ATTRIBUTES,
    sandbox.UNSAFE_GENERATOR_ATTRIBUTES, sandbox.UNSAFE_COROUTINE_ATTRIBUTES,
    sandbox.UNSAFE_ASYNC_GENERATOR_ATTRIBUTES, {"mro"})


@dataclass(frozen=True)
class TemplateProblem:
    """What is wrong with a template: ``kind`` is syntax, undefined, unsafe, too_long or
    error; ``line`` is 1-based where known. ``reason`` is Jinja's own (English) wording, for
    operators; ``syntax`` (unexpected, unclosed, tag, filter or "") and ``subject`` (the token,
    tag, attribute or limit concerned) let a catalog say it in the reader's language."""

    kind: str
    reason: str
    line: int | None = None
    syntax: str = ""
    subject: str = ""


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
        """The variables ``source`` needs. Raises TemplateError on a syntax error, an unknown
        filter or what the sandbox would refuse when it runs, so a template that can never
        work is refused when it is saved, not when it is used."""
        self._check_size(source)
        try:
            tree = self._plain.parse(source)
            self._plain.from_string(source)  # unknown filters and tests surface on compile
        except TemplateSyntaxError as exc:
            raise TemplateError(_syntax_problem(exc)) from None
        for node in tree.find_all((nodes.Getattr, nodes.Getitem)):
            name = (node.attr if isinstance(node, nodes.Getattr)
                    else _constant(node.arg) if isinstance(node, nodes.Getitem) else None)
            if name is not None and (name.startswith("_") or name in _UNSAFE_NAMES):
                raise TemplateError(TemplateProblem("unsafe", f"attribute {name!r} is unsafe",
                                                    node.lineno, subject=name))
        return set(meta.find_undeclared_variables(tree))

    def render(
        self, source: str, variables: Mapping[str, object], *, allow_mentions: bool = False
    ) -> str:
        """Render ``source`` with ``variables`` (values escaped). Raises TemplateError."""
        self._check_size(source)
        env = self._mentions if allow_mentions else self._plain
        try:
            template = env.from_string(source)
        except TemplateSyntaxError as exc:
            raise TemplateError(_syntax_problem(exc)) from None
        try:
            text = template.render(dict(variables))
        except UndefinedError as exc:
            raise TemplateError(TemplateProblem("undefined", _undefined_reason(exc), _line(exc))) from None
        except SecurityError as exc:
            name = re.search(r"attribute '([^']+)'", str(exc))
            raise TemplateError(TemplateProblem("unsafe", str(exc), _line(exc),
                                                subject=name.group(1) if name else "")) from None
        except (JinjaTemplateError, ArithmeticError, TypeError, ValueError, LookupError) as exc:
            raise TemplateError(TemplateProblem("error", str(exc)[:200], _line(exc))) from None
        if len(text) > MAX_OUTPUT:
            raise TemplateError(TemplateProblem("too_long", f"more than {MAX_OUTPUT} characters",
                                                subject=str(MAX_OUTPUT)))
        return text if allow_mentions else neutralise_mentions(text)

    @staticmethod
    def _check_size(source: str) -> None:
        if len(source) > MAX_SOURCE:
            raise TemplateError(TemplateProblem("too_long", f"more than {MAX_SOURCE} characters",
                                                subject=str(MAX_SOURCE)))


def _syntax_problem(exc: TemplateSyntaxError) -> TemplateProblem:
    message = exc.message or "syntax"
    for syntax, pattern in _SYNTAX:
        found = pattern.search(message)
        if found:
            subject = found.group(1) if "'" in found.group(0) else ""
            return TemplateProblem("syntax", message, exc.lineno, syntax=syntax, subject=subject)
    return TemplateProblem("syntax", message, exc.lineno)


def _constant(node: nodes.Node) -> str | None:
    return node.value if isinstance(node, nodes.Const) and isinstance(node.value, str) else None


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

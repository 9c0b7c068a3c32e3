"""The sandboxed renderer: strict variables, escaped values, errors with line and reason."""

from __future__ import annotations

import pytest

from commands.markup import ZWJ
from commands.templating import TemplateError, TemplateRenderer

R = TemplateRenderer()


def problem(source: str, variables: dict[str, object] | None = None) -> tuple[str, int | None]:
    with pytest.raises(TemplateError) as caught:
        R.render(source, variables or {})
    return caught.value.problem.kind, caught.value.problem.line


def test_renders_and_escapes_variables_but_not_the_template() -> None:
    text = R.render("**Hoi** {{ naam }}!", {"naam": "*Anna* <b>x</b> @channel"})
    assert text.startswith("**Hoi** \\*Anna\\* <b\\>x</b\\> @" + ZWJ + "channel")


def test_mass_mentions_in_the_template_text_are_neutralised_unless_allowed() -> None:
    assert "@" + ZWJ + "here" in R.render("@here {{ x }}", {"x": "1"})
    allowed = R.render("@here {{ x }}", {"x": "@channel"}, allow_mentions=True)
    assert allowed.startswith("@here") and "@channel" in allowed


def test_missing_variable_names_it_with_its_line() -> None:
    assert problem("regel 1\nregel 2 {{ datum }}") == ("undefined", 2)
    with pytest.raises(TemplateError) as caught:
        R.render("{{ datum }}", {})
    assert caught.value.problem.reason == "datum"


def test_syntax_error_has_line() -> None:
    assert problem("a\nb\n{% if x %}c") == ("syntax", 3)


def test_python_internals_are_refused_by_the_sandbox() -> None:
    assert problem("a\n{{ naam.__class__.__mro__ }}", {"naam": "x"}) == ("unsafe", 2)
    kind, _ = problem("{{ ''.__class__.__base__.__subclasses__() }}")
    assert kind == "unsafe"


def test_runtime_errors_and_huge_ranges_are_reported() -> None:
    assert problem("{{ 1 / 0 }}")[0] == "error"
    assert problem("{% for i in range(10**9) %}x{% endfor %}")[0] == "error"


def test_variables_lists_what_a_template_needs() -> None:
    assert R.variables("{{ a }} {% for x in items %}{{ x }}{{ b }}{% endfor %}") == {"a", "items", "b"}
    with pytest.raises(TemplateError):
        R.variables("{{ a ")

"""Bad input never crashes: the command parser, the router through the local chat, the
knowledge-base import and template rendering, fed with generated input (hypothesis)."""

from __future__ import annotations

import random
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from commands.grammar import ArgsError, parse_args, parse_root
from commands.templating import TemplateError, TemplateRenderer
from commands.wheres.kbfile import FileError, parse_file
from tests.support.chat import ChatDriver

COMMAND_WORDS = ["help", "taal", "rol", "announce", "aankondiging", "pulse", "peiling", "signal",
                 "signaal", "summary", "samenvatting", "waar", "where", "faq", "team",
                 "meldingen", "hooks", "triage", "grant", "list", "stats", "--title", "--at",
                 "--to", "'", '"', "\\", "\n", "ja", "nee", "0", "-1", "99999999999", "@here"]
text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=300)
words = st.lists(st.sampled_from(COMMAND_WORDS) | text, max_size=8).map(" ".join)


@given(words)
@settings(max_examples=300, deadline=None)
def test_the_grammar_reads_or_explains_anything(line: str) -> None:
    parsed = parse_root(line)
    assert parsed.name is None or parsed.name == parsed.name.lower()
    try:
        args = parse_args(parsed.args)
    except ArgsError as exc:
        assert str(exc)
    else:
        assert all(isinstance(w, str) for w in args.words)


@given(st.text(max_size=400), st.dictionaries(st.from_regex(r"[a-z]{1,8}", fullmatch=True),
                                              st.text(max_size=50) | st.integers(), max_size=4))
@settings(max_examples=300, deadline=None)
def test_templates_render_or_give_a_located_reason(source: str, variables: dict[str, Any]) -> None:
    try:
        rendered = TemplateRenderer().render(source, variables)
    except TemplateError as exc:
        assert exc.problem.reason and exc.problem.kind in {"syntax", "undefined", "unsafe",
                                                            "too_long", "error"}
    else:
        assert isinstance(rendered, str)


ESCAPES = [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "{% for c in [].__class__.__base__.__subclasses__() %}{{ c }}{% endfor %}",
    "{{ self._TemplateReference__context }}",
    "{{ lipsum.__globals__['os'] }}",
    "{{ request.application.__globals__ }}",
]


def test_sandbox_escapes_are_refused() -> None:
    renderer = TemplateRenderer()
    for source in ESCAPES:
        try:
            output = renderer.render(source, {})
        except TemplateError as exc:
            assert exc.problem.kind in {"unsafe", "undefined", "error"}
        else:
            assert "popen" not in output and "subclasses" not in output.lower()
            assert "<class" not in output and "module 'os'" not in output


yaml_ish = st.lists(
    st.sampled_from(["- id: a", "  question: Waar?", "  answer: Hier.", "  lang: de", "- id: A B",
                     "  url: notaurl", "  keywords: [x, y]", "- 3", "id: x", "  review_days: -1",
                     "{", "]", ":", "- id: b\n  question: q\n  answer: a"]) | text,
    max_size=12,
).map("\n".join)


@given(yaml_ish, st.sampled_from(["kb.yaml", "kb.csv"]))
@settings(max_examples=300, deadline=None)
def test_knowledge_base_import_reports_instead_of_crashing(content: str, name: str) -> None:
    try:
        parsed = parse_file(name, content)
    except FileError as exc:
        assert str(exc)
    else:
        for error in parsed.errors:
            assert str(error)


def random_commands(seed: int, count: int) -> list[str]:
    """Deterministic random command lines from command words, options and odd characters."""
    rng = random.Random(seed)
    odd = ["\u200b", "😀", "é", "<!here>", "@room", "'", '"', "--", "=", "%s", "{{x}}", "\t", "ñ" * 50]
    lines = []
    for _ in range(count):
        parts = [rng.choice(COMMAND_WORDS + odd) for _ in range(rng.randint(1, 7))]
        lines.append(" ".join(p.replace("\n", " ") for p in parts))
    return lines


async def test_the_bot_answers_any_command_without_an_apology(chat: ChatDriver) -> None:
    """Generated commands from several people get an answer or a clear refusal: never the
    error apology, never an unhandled error, and the app keeps serving."""
    people = ["joost", "anna", "tess", "mila"]
    script = []
    for n, line in enumerate(random_commands(seed=20261123, count=160)):
        script += [f"@{people[n % len(people)]}", "dm" if n % 2 else "#algemeen", f"/hartslag {line}"]
    out = await chat.run("\n".join(script))
    assert "Sorry, daar ging iets mis" not in out
    assert chat.app.metrics.errors.labels("router")._value.get() == 0
    assert "wat je hier kunt doen" in await chat.run("@joost\ndm\nhelp")

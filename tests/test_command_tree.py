"""The declared command tree (issues 20 #4 and 21): one declaration drives parsing, role
checks, help, usage errors and the docs' command reference.

The generic tests run over every declared command of the real router: each example in the
declarations is typed, on a fresh demo, by a person who holds the subcommand's role, and
must not come back as a usage error, a refusal or an apology; help lists, for each demo
person, exactly the subcommands whose examples that person may run.
"""

from __future__ import annotations

import string
from pathlib import Path

import pytest

from bots.app import FEATURES
from commands.messages import CORE
from commands.router import Router
from commands.tree import Command, Sub
from tests.support.chat import ChatDriver

ROOT = Path(__file__).resolve().parents[1]
# Who types an example: the demo person holding the subcommand's first role (bram holds
# comms without admin, so comms-or-admin actions are shown to work for comms alone).
PERSON = {"": "joost", "admin": "anna", "comms": "bram", "manager": "mila", "triage": "tess"}
DEMO_ROLES = {"anna": {"admin", "comms"}, "bram": {"comms"}, "tess": {"triage"},
              "mila": {"manager"}, "joost": set()}
FAILURE_KEYS = ("unknown_command", "help.unknown", "refused", "apology", "bad_args", "tree.unknown_sub",
                "tree.unknown_option", "tree.needs_value", "tree.missing")


def _router() -> Router:
    router = Router()
    for register in FEATURES:
        register(router)
    return router


TREES = _router().trees


def _entries() -> list[tuple[Command, Sub]]:
    return [(c, s) for c in TREES for s in c.entries() if not s.hidden]


def _id(pair: tuple[Command, Sub]) -> str:
    command, sub = pair
    return f"{command.words.en} {sub.words.en}".strip()


def failures(text: str, locale: str) -> list[str]:
    """Catalog texts of the tree's and the router's failures that appear in ``text``."""
    found = []
    for key in FAILURE_KEYS:
        pieces = [literal for literal, *_ in string.Formatter().parse(CORE.get(locale, key))]
        marker = max(pieces, key=len).strip()[:30]
        if marker in text:
            found.append(key)
    return found


async def _as(chat: ChatDriver, person: str, line: str, *, locale: str = "nl") -> str:
    prefix = "taal en\n" if locale == "en" else ""
    await chat.run(f"@{person}\ndm\n{prefix}")
    return await chat.run(f"{line}\n")


# -- the tree's own behaviour, through the chat --------------------------------------
async def test_an_unknown_subcommand_lists_what_the_command_does(chat: ChatDriver) -> None:
    out = await _as(chat, "anna", "rol foo")
    assert "`rol foo` ken ik niet" in out
    assert "`rol geef <rol> <persoon> [<team>]`" in out and "`rol intrekken" in out


async def test_a_missing_argument_names_it_with_usage_and_example(chat: ChatDriver) -> None:
    out = await _as(chat, "anna", "rol geef comms")
    assert "Er ontbreekt <persoon>" in out and "Voorbeeld: `rol geef comms local:sara`" in out
    out = await _as(chat, "anna", "role grant comms", locale="en")
    assert "<person> is missing" in out and "Example: `role grant manager" in out


async def test_an_undeclared_option_is_refused_with_the_usage(chat: ChatDriver) -> None:
    out = await _as(chat, "anna", "taal en --kanal")
    assert "De optie `--kanal` hoort niet bij dit commando" in out
    assert "`taal [<taal>] [--kanaal]`" in out


async def test_option_aliases_reach_the_handler_under_one_name(chat: ChatDriver) -> None:
    dutch = await _as(chat, "anna", "/hartslag taal en --kanaal")
    english = await _as(chat, "anna", "/hartslag taal nl --channel")
    assert "In this channel I'll speak English" in dutch
    assert "In dit kanaal praat ik vanaf nu Nederlands" in english


async def test_roles_are_checked_before_the_handler(chat: ChatDriver) -> None:
    out = await _as(chat, "joost", "rol geef comms local:joost")
    assert "Dat mag alleen iemand met de rol beheerder" in out
    assert "heeft nu de rol" not in await _as(chat, "anna", "rol lijst")


async def test_command_help_gives_usage_and_examples(chat: ChatDriver) -> None:
    for line in ("rol help", "help rol", "hulp role"):
        out = await _as(chat, "anna", line)
        assert "**rol**" in out and "Voorbeeld: `rol lijst`" in out, line
    out = await _as(chat, "anna", "help role", locale="en")
    assert "**role**" in out and "Example: `role grant manager local:omar demo`" in out


async def test_help_of_an_unknown_command_says_so_and_lists_the_rest(chat: ChatDriver) -> None:
    out = await _as(chat, "joost", "help vliegtuig")
    assert "Ik ken het commando `vliegtuig` niet" in out and "`taal`" in out


# -- every declaration ----------------------------------------------------------------
def test_every_declared_subcommand_has_both_languages_and_an_example() -> None:
    missing = [_id(pair) for pair in _entries()
               if pair[1].example is None or not pair[1].summary.nl or not pair[1].summary.en]
    assert missing == []


def test_no_word_means_two_commands() -> None:
    seen: dict[str, str] = {}
    for command in TREES:
        for word in command.words.all():
            assert word not in seen, f"{word!r}: {seen.get(word)} and {command.words.en}"
            seen[word] = command.words.en


@pytest.mark.parametrize("pair", _entries(), ids=_id)
@pytest.mark.parametrize("locale", ["nl", "en"])
async def test_every_example_runs_for_its_role(chat: ChatDriver, pair: tuple[Command, Sub],
                                               locale: str) -> None:
    _, sub = pair
    assert sub.example is not None
    person = PERSON[sub.roles[0] if sub.roles else ""]
    out = await _as(chat, person, sub.example.get(locale), locale=locale)
    assert failures(out, locale) == [], out[-1500:]


@pytest.mark.parametrize("person", sorted(DEMO_ROLES))
async def test_help_lists_exactly_what_the_person_may_do(chat: ChatDriver, person: str) -> None:
    out = await _as(chat, person, "help")
    listed = _listed(out)
    for command, sub in _entries():
        may = not sub.roles or bool(set(sub.roles) & DEMO_ROLES[person])
        word = f"{command.words.nl} {sub.words.nl}".strip() if sub.words.en else command.words.nl
        assert (word in listed) == may, (person, word, sorted(listed))


def _listed(help_text: str) -> set[str]:
    """``- `peiling lijst|toon`: ...`` -> {"peiling lijst", "peiling toon"}."""
    found: set[str] = set()
    for line in help_text.splitlines():
        line = line.strip()
        if not line.startswith("- `"):
            continue
        shown = line[3:].split("`", 1)[0]
        name, _, words = shown.partition(" ")
        found.add(name)
        found |= {f"{name} {w}" for w in words.strip("[]").split("|") if w}
    return found


def test_the_docs_reference_is_generated_from_the_declarations() -> None:
    from commands.tree import reference

    page = ROOT / "docs" / "reference" / "commands.md"
    expected = reference(TREES, lambda role: CORE.get("en", f"role.{role}"))
    assert page.read_text(encoding="utf-8") == expected + "\n", (
        "docs/reference/commands.md is stale: run `hartslag reference > "
        "docs/reference/commands.md`")


def test_the_reference_names_every_subcommand() -> None:
    from commands.tree import reference

    page = reference(TREES, str)
    for command, sub in _entries():
        assert f"`{sub.usage(command.words, 'en')}`" in page.replace("\\|", "|")

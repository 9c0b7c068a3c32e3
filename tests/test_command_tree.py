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
from typing import Any

import pytest

from bots.app import FEATURES
from commands.announcements.messages import TEXT as ANNOUNCEMENTS
from commands.i18n import Catalog
from commands.messages import CORE
from commands.notices.messages import TEXT as NOTICES
from commands.org.text import ORG
from commands.pulse.text import PULSE
from commands.router import Router
from commands.signals.text import SIGNALS
from commands.summaries.text import SUMMARY
from commands.tree import Command, Sub
from commands.verbinden.messages import VERBINDEN
from commands.wheres.messages import TEXT as WHERES
from tests.support.chat import ChatDriver

ROOT = Path(__file__).resolve().parents[1]
# Who types an example: the demo person holding the subcommand's first role (bram holds
# comms without admin, so comms-or-admin actions are shown to work for comms alone).
PERSON = {"": "joost", "admin": "anna", "comms": "bram", "manager": "mila", "triage": "tess"}
DEMO_ROLES = {"anna": {"admin", "comms"}, "bram": {"comms"}, "tess": {"triage"},
              "mila": {"manager"}, "joost": set()}
FAILURE_KEYS = ("unknown_command", "help.unknown", "refused", "apology", "bad_args", "tree.unknown_sub",
                "tree.unknown_option", "tree.needs_value", "tree.missing", "tree.bad_choice")
# An example that names something the demo does not have has not shown its result either:
# the features' "does not exist / not found / not in the directory / nothing yet" texts.
MISSING: tuple[tuple[Catalog, str], ...] = (
    (ORG, "no_team"), (ORG, "no_parent"), (PULSE, "no_pulse"), (PULSE, "no_team"),
    (PULSE, "answer.gone"), (SUMMARY, "no_pulse"), (SUMMARY, "no_team"),
    (SUMMARY, "unknown_team"), (SUMMARY, "nothing"), (ANNOUNCEMENTS, "unknown_id"),
    (ANNOUNCEMENTS, "unknown_audience"), (ANNOUNCEMENTS, "unknown_template"),
    (NOTICES, "not_in_directory"), (VERBINDEN, "unknown_programme"), (VERBINDEN, "bad_team"),
    (WHERES, "faq.missing"), (WHERES, "faq.question.missing"), (WHERES, "entry.gone"),
    (WHERES, "feedback.unknown"), (SIGNALS, "code.unknown"), (SIGNALS, "ref.unknown"),
    # ...and an announcement in a state the example cannot act on (the demo has one in
    # each: #1 sent, #2 scheduled, #3 paused, #4 waiting for approval).
    (ANNOUNCEMENTS, "not_open"), (ANNOUNCEMENTS, "cannot_pause"),
    (ANNOUNCEMENTS, "cannot_resume"), (ANNOUNCEMENTS, "already_decided"),
)


def _router() -> Router:
    router = Router()
    for feature in FEATURES:
        feature.register(router)
    return router


TREES = _router().trees


def _entries() -> list[tuple[Command, Sub]]:
    return [(c, s) for c in TREES for s in c.entries() if not s.hidden]


def _id(pair: tuple[Command, Sub]) -> str:
    command, sub = pair
    return f"{command.words.en} {sub.words.en}".strip()


def _marker(catalog: Catalog, locale: str, key: str) -> str:
    """The longest fixed part of a catalog text (what shows whatever the values)."""
    pieces = [literal for literal, *_ in string.Formatter().parse(catalog.get(locale, key))]
    return max(pieces, key=len).strip()[:30]


def failures(text: str, locale: str, *, missing: bool = False) -> list[str]:
    """Catalog texts of the tree's and the router's failures that appear in ``text``; with
    ``missing`` also the features' texts for something that does not exist."""
    found = [key for key in FAILURE_KEYS if _marker(CORE, locale, key) in text]
    if missing:
        found += [f"{catalog.name}:{key}" for catalog, key in MISSING
                  if _marker(catalog, locale, key) in text]
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


async def test_a_choice_reaches_the_handler_by_its_canonical_name(chat: ChatDriver) -> None:
    # The action words of `announce audience` are declared choices: Dutch, English and the
    # older aliases all do the same, and a word that is none of them gets the tree's message.
    dutch = await _as(chat, "bram", "aankondiging doelgroep toevoegen kantoor local:#algemeen")
    alias = await _as(chat, "bram", "aankondiging doelgroep zet balie local:#demo")
    assert "kantoor" in dutch and "1 kanaal" in dutch
    assert "balie" in alias and "1 kanaal" in alias
    wrong = await _as(chat, "bram", "aankondiging doelgroep weg kantoor")
    assert ("`weg` past hier niet: kies `lijst`, `toevoegen`, `verwijder`. Gebruik: "
            "`aankondiging doelgroep [<lijst|toevoegen|verwijder>]") in wrong
    english = await _as(chat, "bram", "announce audience remove balie", locale="en")
    assert "balie" in english and failures(english, "en") == []
    listing = await _as(chat, "bram", "announce audience list", locale="en")
    assert "**kantoor**" in listing and "**balie**" not in listing
    wrong_en = await _as(chat, "mila", "summary weekly demo maybe", locale="en")
    assert "`maybe` does not fit here: choose `on`, `off`." in wrong_en


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


@pytest.fixture
async def demo_chat(app: Any, chat: ChatDriver) -> ChatDriver:
    """``chat`` on the embedded demo as ``hartslag chat`` starts it: seeded with its past
    (bots/demo), whose one delivery (the announcement in #algemeen) has gone out."""
    from bots.chat import settle
    from bots.demo import seed

    await seed(app.context())
    await settle(app)
    return chat


@pytest.mark.parametrize("pair", _entries(), ids=_id)
@pytest.mark.parametrize("locale", ["nl", "en"])
async def test_every_example_runs_for_its_role(demo_chat: ChatDriver, pair: tuple[Command, Sub],
                                               locale: str) -> None:
    """On a fresh demo each example shows its result: no usage error, refusal or apology,
    and nothing it names is missing."""
    _, sub = pair
    assert sub.example is not None
    person = PERSON[sub.roles[0] if sub.roles else ""]
    out = await _as(demo_chat, person, sub.example.get(locale), locale=locale)
    assert failures(out, locale, missing=True) == [], out[-1500:]


@pytest.mark.parametrize(("catalog", "key"), MISSING, ids=lambda v: getattr(v, "name", v))
@pytest.mark.parametrize("locale", ["nl", "en"])
def test_every_missing_marker_is_found_in_its_own_text(catalog: Catalog, key: str,
                                                       locale: str) -> None:
    """The markers must not be blank or chopped to something that cannot match."""
    marker = _marker(catalog, locale, key)
    assert len(marker) >= 8 and marker in catalog.get(locale, key), marker


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

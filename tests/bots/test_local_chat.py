"""The local chat driven by scripts with several people, in-process and as `hartslag chat`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.support.chat import ChatDriver


async def test_help_in_dutch_then_english_for_a_person_who_chose_english(chat: ChatDriver) -> None:
    out = await chat.run("@joost\n/hartslag help\n/hartslag taal en\n/hartslag help\n@sara\nhelp\n")
    first, _, rest = out.partition("[#algemeen] joost: /hartslag taal en")
    assert "wat je hier kunt doen" in first
    assert "I'll speak English with you from now on." in rest
    english, _, sara = rest.partition("[#algemeen] sara: help")
    assert "what you can do here" in english
    # sara wrote "help" in a channel without mentioning the bot: not a command there
    assert "hartslag" not in sara


async def test_private_replies_name_their_reader_and_dm_needs_no_root_word(chat: ChatDriver) -> None:
    out = await chat.run("@sara\ndm\nhulp\n")
    assert "[dm sara] sara: hulp" in out
    assert "[dm sara] hartslag #" in out and "wat je hier kunt doen" in out
    out = await chat.run("@omar\n#demo\n/hartslag help\n")
    assert "-> omar:" in out


async def test_help_lists_only_what_the_caller_may_do(chat: ChatDriver) -> None:
    employee = await chat.run("@joost\n/hartslag help\n")
    admin = await chat.run("@anna\n/hartslag help\n")
    assert "rollen beheren" not in employee
    assert "rollen beheren" in admin


async def test_roles_refused_for_employees_and_managed_by_admins(chat: ChatDriver) -> None:
    out = await chat.run("@joost\n/hartslag rol grant comms local:joost\n")
    assert "Dat mag alleen iemand met de rol beheerder" in out
    assert "heeft nu de rol" not in out
    out = await chat.run("@anna\n/hartslag rol grant comms local:joost\n/hartslag rol list\n")
    assert "`local:joost` heeft nu de rol communicatie." in out
    assert "- `local:joost`: communicatie" in out
    out = await chat.run("/hartslag rol grant chef local:joost\n/hartslag rol grant comms joost\n")
    assert "`chef` is geen rol" in out and "`joost` is geen persoon" in out
    out = await chat.run("/hartslag rol revoke comms local:joost\n")
    assert "heeft de rol communicatie niet meer" in out


async def test_unknown_commands_and_bad_quotes_get_clear_answers(chat: ChatDriver) -> None:
    out = await chat.run('@lisa\n/hartslag vliegen\n@anna\n/hartslag rol grant "comms\n')
    assert "Ik ken het commando `vliegen` niet" in out
    assert "Ik kan dit commando niet lezen" in out


async def test_pressing_without_buttons_says_so(chat: ChatDriver) -> None:
    out = await chat.run("@joost\npress 1\n")
    assert "[not pressed: no message with choices here]" in out


def test_hartslag_chat_reads_a_script_from_stdin(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HARTSLAG_")}
    env["HARTSLAG_LOCAL_FILES_DIR"] = str(tmp_path / "files")
    env["XDG_STATE_HOME"] = str(tmp_path / "state")
    script = ("@joost\n/hartslag help\n/hartslag taal en\n/hartslag help\n"
              "dm\nwaar vind ik mijn loonstrook\n")
    result = subprocess.run(
        [sys.executable, "-m", "bots.cli", "chat", "--start", "2026-11-23T09:00",
         "--db", str(tmp_path / "chat.db")],
        input=script, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "**hartslag**: wat je hier kunt doen" in result.stdout
    assert "**hartslag**: what you can do here" in result.stdout
    # the embedded demo comes with a small knowledge base
    assert "staat in het personeelsportaal onder Mijn documenten" in result.stdout
    assert (tmp_path / "chat.db").exists()


async def test_chat_script_state(chat: ChatDriver) -> None:
    await chat.run("@mila\n#demo\n")
    session: Any = chat.session
    assert (session.user, session.place) == ("mila", "#demo")
    await chat.run("dm\n@omar\n")
    assert session.place == "@omar"


async def test_help_hides_management_commands_from_employees(chat: ChatDriver) -> None:
    employee = await chat.run("@joost\ndm\nhelp\n")
    comms = await chat.run("@bram\ndm\nhelp\n")
    assert "kennisbank beheren" not in employee and "kennisbank beheren" in comms


async def test_an_admin_sets_the_channel_language_people_keep_their_own(chat: ChatDriver) -> None:
    out = await chat.run("@joost\n#demo\n/hartslag taal en --kanaal\n")
    assert "Dat mag alleen iemand met de rol beheerder" in out
    out = await chat.run("@anna\n#demo\n/hartslag taal en --kanaal\n@omar\n/hartslag help\n"
                         "/hartslag taal nl\n/hartslag help\n#algemeen\n/hartslag help\n")
    assert "In this channel I'll speak English from now on" in out
    omar_en, _, omar_nl = out.partition("[#demo] omar: /hartslag taal nl")
    assert "what you can do here" in omar_en
    assert "wat je hier kunt doen" in omar_nl and "what you can do here" not in omar_nl

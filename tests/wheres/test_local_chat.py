"""End to end in the local chat with every feature registered: ask, press a button."""

from __future__ import annotations

from typing import Any

from commands.wheres.kbfile import parse_file
from commands.wheres.knowledge import Knowledge
from tests.wheres.conftest import sample_text


async def test_ask_in_a_dm_and_give_feedback(app: Any, chat: Any) -> None:
    knowledge = Knowledge()
    for entry in parse_file("sample-kb.yaml", sample_text()).entries:
        await knowledge.put(app.context(), entry)
    out = await chat.run("@anna\ndm\nwaar vind ik mijn loonstrook\n")
    assert "ADP onder Mijn documenten" in out
    assert "[1] Dit hielp  [2] Hielp niet" in out
    out = await chat.run("press 1\n")
    assert "Dank je" in out
    out = await chat.run("#algemeen\nwie wint het songfestival\n")
    assert "hartslag" not in out  # a channel message without a mention is not a question

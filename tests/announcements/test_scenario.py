"""One story on the local chat, from compose to approval, delivery, acknowledgement, reminder
and stats, as the comms team would live it."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any


async def test_compose_approve_deliver_acknowledge_remind_report(chat: Any) -> None:
    # anna saves an audience that needs four eyes, then composes for it.
    out = await chat.run('''@anna
#algemeen
/hartslag aankondiging doelgroep add iedereen local:#algemeen local:#demo --vier-ogen
/hartslag aankondiging nieuw --titel "Nieuwe koffieautomaat" --tekst "Vanaf **woensdag** op de 2e." --doelgroep iedereen --gelezen "vandaag 12:00"
''')
    assert "Doelgroep **iedereen** gemaakt met 2 kanalen (vier-ogen)" in out
    assert "[1] Ter goedkeuring aanbieden  [2] Annuleren" in out
    out = await chat.run("press 1")
    assert "ter goedkeuring aangeboden" in out
    assert "[dm bram] hartslag" in out and "**Goedkeuring gevraagd**" in out
    assert "[#demo]" not in chat.transcript  # nothing before approval

    # bram approves in his DM; the copies go out; anna hears the outcome.
    out = await chat.run("@bram\ndm\npress 1")
    assert "is goedgekeurd" in out
    assert "[#demo] hartslag" in out and "[#algemeen] hartslag" in out
    assert out.count("[1] Gelezen") == 2
    assert "[dm anna] hartslag" in out and "goedgekeurd door bram" in out

    # people read it; one twice.
    await chat.run("@joost\n#demo\npress 1\npress 1\n@mila\n#demo\npress 1\n@tess\n#algemeen\npress 1")
    await chat.advance(timedelta(minutes=5))
    assert "is bezorgd: 2 van 2 kanalen" in chat.transcript

    # after the due date: one reminder to each member who has not read it (not the author).
    await chat.advance(timedelta(hours=3))
    lines = chat.transcript.splitlines()
    reminded = {lines[i].split("]")[0][4:] for i in range(len(lines) - 1)
                if lines[i].startswith("[dm ") and "Herinnering" in lines[i + 1]}
    assert reminded == {"bram", "sara", "omar", "lisa", "noor", "daan"}

    # the reach report and the per-person view for anna.
    out = await chat.run("@anna\n#algemeen\n/hartslag aankondiging bereik 1")
    assert "local:#algemeen" in out and "local:#demo" in out
    assert "Gelezen: 3 personen in totaal" in out
    chart = [line for line in out.splitlines() if "[image:" in line]
    png = Path(chart[0].split("[image: ")[1].rstrip("]"))
    assert (await asyncio.to_thread(png.read_bytes))[:4] == b"\x89PNG"
    out = await chat.run("/hartslag aankondiging lezers 1")
    assert "3 gelezen, 0 nog niet, 7 te laat" in out

"""End to end in the local chat: two people send signals, the triage team answers through the
relay, the senders answer back and close; then every table, every log line and /metrics are
read and hold no identifier or name of either sender."""

from __future__ import annotations

import io
import logging
import re
from typing import Any

from tests.signals.conftest import all_rows, code_and_ref, find_identifiers, metrics_text

SENDERS = ["joost", "sara"]
TEXT_JOOST = "De werkdruk in de avonddiensten is te hoog; we redden het niet met vier mensen."
TEXT_SARA = "Idee: een vaste overlegtijd voor het hele team op dinsdag."
SIGNAL_TABLES = {"signal_case", "signal_entry", "signal_relay", "signal_rate", "signal_block"}


def bot_lines_for(transcript: str, place: str) -> str:
    """The bot's messages in one place (``dm joost``), with their bodies."""
    blocks = re.split(r"\n(?=\[)", transcript)
    return "\n".join(b for b in blocks if b.startswith(f"[{place}] hartslag"))


async def test_two_senders_relay_both_ways_and_nothing_identifying_is_stored(
    chat: Any, app: Any, log_output: io.StringIO
) -> None:
    # Joost: a topic, a team, the text, "ja" (answerable through the relay).
    out = await chat.run(f"@joost\ndm\n/hartslag signaal\n1\nBurgerzaken\n{TEXT_JOOST}\nja\n")
    assert "Verstuur anoniem?" in out
    code_joost, ref_joost = await code_and_ref(app, out)
    # Sara: no topic, no team, "ja zonder antwoord" (no relay at all).
    out = await chat.run(f"@sara\ndm\n/hartslag signaal\ngeen\ngeen\n{TEXT_SARA}\nja zonder antwoord\n")
    code_sara, ref_sara = await code_and_ref(app, out)
    assert "geen weg terug" in out

    # Triage sees both cases by reference only.
    out = await chat.run("@tess\ndm\n/hartslag signaal inbox\n")
    assert ref_joost in out and ref_sara in out and "werkdruk" in out
    assert find_identifiers(out, SENDERS) == []

    # An answer reaches Joost through the relay, in his DM, with his code; Tess learns nothing.
    out = await chat.run(f"/hartslag signaal beantwoord {ref_joost} Dank je. Over welke dagen gaat het?\n")
    assert "bezorgd" in out
    to_joost = bot_lines_for(out, "dm joost")
    assert "Over welke dagen gaat het" in to_joost and code_joost in to_joost
    assert code_joost not in bot_lines_for(out, "dm tess")
    out = await chat.run(f"/hartslag signaal beantwoord {ref_sara} Goed idee, we nemen het mee.\n")
    assert "geen weg terug" in out

    # Joost answers back anonymously: once as a command, once as a DM conversation.
    out = await chat.run(f"@joost\ndm\n/hartslag signaal antwoord {code_joost} Vooral vrijdag en zaterdag.\n")
    assert "aan je signaal toegevoegd" in out
    out = await chat.run(f"/hartslag signaal antwoord {code_joost}\nOok de zondag is zwaar.\nja\n")
    assert "Anoniem versturen?" in out and "aan je signaal toegevoegd" in out

    # Triage: the replies, a note, assignment, status; no name anywhere.
    out = await chat.run(f"@tess\ndm\n/hartslag signaal dossier {ref_joost}\n"
                         f"/hartslag signaal notitie {ref_joost} Bespreken in het MT.\n"
                         f"/hartslag signaal wijs {ref_joost} mij\n"
                         f"/hartslag signaal status {ref_joost} in behandeling\n"
                         "/hartslag signaal inbox in behandeling\n")
    assert "Vooral vrijdag en zaterdag" in out and "Ook de zondag is zwaar" in out
    assert "Reactie van de melder" in out and "in behandeling" in out
    assert find_identifiers(out, SENDERS) == []

    # "You said, we did": a chosen quote in #algemeen; Joost hears about it through the relay.
    out = await chat.run(f"/hartslag signaal publiceer {ref_joost} #algemeen --citaat "
                         "\"werkdruk in de avonddiensten is te hoog\" Vanaf januari roosteren we "
                         "een extra collega in @here.\n")
    assert "De melder heeft bericht gekregen" in out
    post = bot_lines_for(out, "#algemeen")
    assert "Jullie zeiden, wij deden" in post and "avonddiensten is te hoog" in post
    assert "vier mensen" not in post  # only what triage chose to quote
    assert "@here" not in post.replace("@\u2060here", "")  # no mass mention
    assert "Jullie zeiden, wij deden" in bot_lines_for(out, "dm joost")

    out = await chat.run(f"@joost\ndm\n/hartslag signaal bekijk {code_joost}\n")
    assert "Wat ermee gedaan is" in out and "Vanaf januari roosteren we een extra collega" in out
    assert "\\\\" not in out  # escaped once, not twice

    # Sara reads the answer with her code; Joost closes his case, the relay is erased.
    out = await chat.run(f"@sara\ndm\n/hartslag signaal bekijk {code_sara}\n")
    assert "Goed idee, we nemen het mee" in out and "Bespreken in het MT" not in out
    out = await chat.run(f"@joost\ndm\n/hartslag signaal sluit {code_joost}\n")
    assert "gesloten" in out
    out = await chat.run(f"@tess\ndm\n/hartslag signaal beantwoord {ref_joost} Nog iets?\n")
    assert "gesloten" in out

    # The sender never sees the reference the team works with (a DM export can't link them).
    assert ref_joost not in bot_lines_for(chat.transcript, "dm joost")
    assert ref_sara not in bot_lines_for(chat.transcript, "dm sara")

    rows = await all_rows(app)
    assert rows["signal_relay"] == []
    cases = {row[0]: row for row in rows["signal_case"]}
    assert set(cases) == {ref_joost, ref_sara}

    # The scan: every column of every row of every table, the log output and /metrics.
    everything = "\n".join(repr(row) for table in rows.values() for row in table)
    assert find_identifiers(everything, SENDERS) == []
    assert find_identifiers(everything, ["tess"]) == ["tess"]  # the scan does see names
    assert code_joost not in everything and code_sara not in everything
    logging.getLogger("hartslag.signals").info("capture check")  # the capture is live
    logs = log_output.getvalue()
    assert "capture check" in logs
    assert find_identifiers(logs, SENDERS) == []
    for secret in (TEXT_JOOST, TEXT_SARA, "Vooral vrijdag", code_joost, code_sara):
        assert secret not in logs
    assert find_identifiers(metrics_text(app), SENDERS) == []

    # The senders' texts live only in the signal tables (the post holds only the chosen quote).
    elsewhere = "\n".join(repr(row) for name, table in rows.items() if name not in SIGNAL_TABLES
                          for row in table)
    assert TEXT_JOOST not in elsewhere and TEXT_SARA not in elsewhere
    assert "vier mensen" not in elsewhere and "Vooral vrijdag" not in elsewhere

    # Only a day, never a time, in the signal tables.
    signal_values = "\n".join(repr(row) for name in SIGNAL_TABLES for row in rows[name])
    assert not re.search(r"\d{1,2}:\d{2}", signal_values)

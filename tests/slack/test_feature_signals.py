"""Anonymous signals from Slack: the slash command opens a modal (no trigger of a public
message), the submission is stored without the sender and nothing about the view is kept, and
the triage team's answer reaches the sender through the relay as a DM."""

from __future__ import annotations

import json
import re

from tests.pulse.conftest import all_rows
from tests.slack.conftest import SlackHarness, fill


async def test_signal_by_modal_and_answer_through_the_relay(slack: SlackHarness) -> None:
    await slack.command("signaal", trigger_id="trig-signal")
    opened = await slack.fake.wait_for("views.open")
    view = opened[0].args["view"]
    names = {b["block_id"] for b in view["blocks"] if b["type"] == "input"}
    assert "text" in names, names
    assert slack.posts("C0ALG") == []  # nothing visible in the channel
    before = await all_rows(slack.app)
    await slack.submit(view, fill(view, text="De werkdruk op de afdeling is al maanden te hoog.",
                                  relay="true"))
    done = await slack.fake.wait_for("chat.postEphemeral")
    assert "Verstuurd, anoniem" in done[0].args["text"], done[0].args["text"]
    assert done[0].args["user"] == "U0ANNA"  # only the sender sees the confirmation

    after = await all_rows(slack.app)
    assert after.get("processed_event") == before.get("processed_event")
    dump = json.dumps({t: rows for t, rows in after.items() if t.startswith("signal")},
                      default=str)
    for marker in ("U0ANNA", "Anna", "trig-signal", "C0ALG"):
        assert marker not in dump, marker

    await slack.dm("signaal inbox", user="U0TESS")
    inbox = slack.posts("D0TESS")[-1].args["text"]
    found = re.search(r"\b(S-[A-Z0-9]{6})\b", inbox)
    assert found, inbox
    assert "werkdruk" in inbox.lower() and "Anna" not in inbox and "U0ANNA" not in inbox
    ref = found.group(1)

    await slack.dm(f"signaal beantwoord {ref} Dank je, we pakken het op.", user="U0TESS")
    await slack.settle_outbox()
    to_anna = slack.posts("D0ANNA")
    to_tess = slack.posts("D0TESS")
    assert to_anna and "we pakken het op" in to_anna[-1].args["text"]
    assert ref in to_tess[-1].args["text"] and "Anna" not in to_tess[-1].args["text"]

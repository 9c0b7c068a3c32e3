"""The form path (a platform with forms, as Slack and Teams) and the relay on that platform:
delivery, a failing delivery that logs nothing identifying, and the stored rows."""

from __future__ import annotations

import io
from typing import Any

from commands.model import Address, CommandRequest, FormSubmission, InboundMessage, UserRef
from commands.port import DeliveryError
from tests.signals.conftest import all_rows, code_and_ref, find_identifiers
from tests.support.fake_port import FakeChatPort

JOOST = UserRef("slack", "U0JOOST42", "Joost de Vries", "T0ORG")
CHANNEL = Address("slack", "T0ORG", "C0GENERAL")
TEXT = "Het nieuwe rooster komt steeds te laat; plannen is zo onmogelijk."


def slack(app: Any) -> FakeChatPort:
    port = FakeChatPort()
    app.port.add("slack", port)
    return port


async def submit(app: Any, values: dict[str, str]) -> str:
    reply = await app.handle(FormSubmission(JOOST, CHANNEL, "signals.send", values))
    assert reply is not None and reply.message is not None
    return reply.message.markdown


async def test_the_command_opens_a_form_with_a_fallback_text(app: Any) -> None:
    slack(app)
    reply = await app.handle(CommandRequest(JOOST, CHANNEL, "signal", ""))
    assert reply is not None and reply.form is not None and reply.message is not None
    names = [f.name for f in reply.form.fields]
    assert names == ["category", "team", "text", "relay"]
    assert reply.form.fields[2].max_length == 2000
    assert reply.form.submit_label == "Verstuur anoniem"


async def test_form_submission_relay_and_a_failing_delivery(
    app: Any, chat: Any, log_output: io.StringIO
) -> None:
    port = slack(app)
    code, ref = await code_and_ref(app, await submit(app, {"category": "ICT", "team": "Planning",
                                                "text": TEXT, "relay": "true"}))
    out = await chat.run(f"@tess\ndm\n/hartslag signaal beantwoord {ref} We passen het aan.\n")
    assert "bezorgd" in out
    (sent,) = port.sent
    assert sent.target == JOOST.key and code in sent.message.markdown
    assert "We passen het aan" in sent.message.markdown

    port.fail[JOOST.key] = DeliveryError(f"user {JOOST.id} ({JOOST.display_name}) not reachable")
    out = await chat.run(f"/hartslag signaal beantwoord {ref} Nog een vraag.\n")
    assert "bezorgen lukte nu niet" in out

    people = [JOOST.id, JOOST.display_name, "Joost", "Vries"]
    rows = await all_rows(app)
    assert find_identifiers("\n".join(map(repr, (r for t in rows.values() for r in t))), people) == []
    assert "relay delivery failed" in log_output.getvalue()
    assert find_identifiers(log_output.getvalue(), people) == []
    assert find_identifiers(out, people) == []


async def test_form_without_relay_and_bad_values_store_nothing(app: Any) -> None:
    slack(app)
    assert "geen onderwerp" in await submit(app, {"category": "Kantine", "text": TEXT})
    assert "maximum is 2000" in await submit(app, {"text": "x" * 2001})
    assert "minstens 5 tekens" in await submit(app, {"text": "  hoi "})
    assert "hooguit 60 tekens" in await submit(app, {"team": "t" * 61, "text": TEXT})
    assert (await all_rows(app))["signal_case"] == []
    out = await submit(app, {"text": TEXT})  # the unchecked checkbox is absent: no relay
    await code_and_ref(app, out)
    assert "geen weg terug" in out
    rows = await all_rows(app)
    assert len(rows["signal_case"]) == 1 and rows["signal_relay"] == []


async def test_a_conversation_on_request_where_forms_exist(app: Any) -> None:
    slack(app)
    dm = Address("slack", "T0ORG", "D0JOOST")
    reply = await app.handle(CommandRequest(JOOST, dm, "signal", "gesprek", is_direct=True))
    assert reply is not None and reply.form is None and reply.message is not None
    assert "Waar gaat het over?" in reply.message.markdown
    for answer in ("3", "geen", TEXT, "ja"):
        reply = await app.handle(InboundMessage(JOOST, dm, answer, is_direct=True))
    assert reply is not None and reply.message is not None
    await code_and_ref(app, reply.message.markdown)

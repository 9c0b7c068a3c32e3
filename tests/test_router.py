"""The router: command grammar, roles, conversations, and the single error boundary."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from commands.clock import FakeClock
from commands.context import Context, Services
from commands.errors import UserError
from commands.locale import LocaleResolver
from commands.metrics import Metrics
from commands.model import Address, CommandRequest, InboundMessage, Interaction, Reply, UserRef
from commands.roles import Roles
from commands.router import Router
from commands.settings import SettingsBag
from storage.db import Database
from storage.preferences import PreferenceRepository
from storage.roles import RoleRepository
from storage.store import ProcessState, Store
from tests.conftest import START
from tests.support.fake_port import FakeChatPort

HERE = Address("local", "local", "#algemeen")
DM = Address("local", "local", "@joost")
JOOST = UserRef("local", "joost", "Joost Secret-Name")
ANNA = UserRef("local", "anna", "anna")


@pytest.fixture
async def ctx(db_url: str) -> Any:
    db = Database(db_url)
    store = Store(db)
    services = Services(
        port=FakeChatPort(), store=store, scheduler=None, delivery=None,  # type: ignore[arg-type]
        clock=FakeClock(START), settings=SettingsBag(),
        roles=Roles(store.repo(RoleRepository), config={"comms": ["local:anna"]}),
        metrics=Metrics(), locales=LocaleResolver(store.repo(PreferenceRepository)),
        state=ProcessState(db),
    )
    yield Context(services, locale="nl")
    await db.dispose()


def router_with(**handlers: Any) -> Router:
    router = Router()

    async def echo(request: CommandRequest, ctx: Context) -> Reply:
        return Reply.text(f"echo {request.args}")

    router.command("echo", echo, aliases=("herhaal",))
    for name, handler in handlers.items():
        router.command(name, handler, role="comms" if name == "secret" else None)
    return router


async def test_command_and_alias_and_case(ctx: Context) -> None:
    router = router_with()
    for name in ("echo", "HERHAAL"):
        reply = await router.dispatch(CommandRequest(JOOST, HERE, name, "a b"), ctx)
        assert reply is not None and reply.message is not None
        assert reply.message.markdown == "echo a b"


async def test_unknown_command_is_explained(ctx: Context) -> None:
    reply = await router_with().dispatch(CommandRequest(JOOST, HERE, "frobnicate", ""), ctx)
    assert reply is not None and reply.message is not None
    assert "`frobnicate`" in reply.message.markdown and "/hartslag help" in reply.message.markdown


async def test_a_failing_handler_apologises_logs_context_and_the_router_keeps_serving(
    ctx: Context, caplog: pytest.LogCaptureFixture
) -> None:
    async def boom(request: CommandRequest, ctx: Context) -> Reply:
        raise RuntimeError(f"database exploded on {request.args!r}")

    router = router_with(boom=boom)
    with caplog.at_level(logging.ERROR, logger="hartslag.router"):
        reply = await router.dispatch(CommandRequest(JOOST, HERE, "boom", "private words"), ctx)
    assert reply is not None and reply.message is not None
    assert reply.message.markdown.startswith("Sorry")
    record = caplog.records[-1]
    assert record.route == "command:boom" and record.platform == "local"  # type: ignore[attr-defined]
    assert record.error_type == "RuntimeError"  # type: ignore[attr-defined]
    assert "test_router.py" in record.where and "in boom" in record.where  # type: ignore[attr-defined]
    assert record.exc_info is None  # the message, which quotes the request, is not logged
    logged = caplog.text
    assert "private words" not in logged and "joost" not in logged.lower()
    again = await router.dispatch(CommandRequest(JOOST, HERE, "echo", "still here"), ctx)
    assert again is not None and again.message is not None
    assert again.message.markdown == "echo still here"
    assert ctx.services.metrics.errors.labels("router")._value.get() == 1


async def test_user_errors_are_shown_as_they_are(ctx: Context) -> None:
    async def picky(request: CommandRequest, ctx: Context) -> Reply:
        raise UserError("Geef een titel op met --title.")

    reply = await router_with(picky=picky).dispatch(CommandRequest(JOOST, HERE, "picky", ""), ctx)
    assert reply is not None and reply.message is not None
    assert reply.message.markdown == "Geef een titel op met --title."


async def test_role_refusal_happens_before_the_handler(ctx: Context) -> None:
    calls: list[str] = []

    async def secret(request: CommandRequest, ctx: Context) -> Reply:
        calls.append(request.user.id)
        return Reply.text("done")

    router = router_with(secret=secret)
    refused = await router.dispatch(CommandRequest(JOOST, HERE, "secret", ""), ctx)
    assert refused is not None and refused.message is not None
    assert "communicatie" in refused.message.markdown and calls == []
    allowed = await router.dispatch(CommandRequest(ANNA, HERE, "secret", ""), ctx)
    assert allowed is not None and calls == ["anna"]


async def test_dm_text_starting_with_a_command_word_is_a_command(ctx: Context) -> None:
    questions: list[str] = []

    async def question(request: InboundMessage, ctx: Context) -> Reply:
        questions.append(request.text)
        return Reply.text("answer")

    router = router_with()
    router.message(question)
    reply = await router.dispatch(InboundMessage(JOOST, DM, "echo hoi", is_direct=True), ctx)
    assert reply is not None and reply.message is not None and reply.message.markdown == "echo hoi"
    await router.dispatch(InboundMessage(JOOST, DM, "waar is mijn loonstrook", is_direct=True), ctx)
    assert questions == ["waar is mijn loonstrook"]
    explicit = await router.dispatch(InboundMessage(JOOST, HERE, "/hartslag echo x"), ctx)
    assert explicit is not None and explicit.message is not None
    assert explicit.message.markdown == "echo x"


async def test_open_conversations_see_dm_text_first(ctx: Context) -> None:
    async def drafting(request: InboundMessage, ctx: Context) -> Reply | None:
        return Reply.text("noted") if request.text.startswith("echo") else None

    router = router_with()
    router.conversation(drafting)
    reply = await router.dispatch(InboundMessage(JOOST, DM, "echo is part of my text", is_direct=True), ctx)
    assert reply is not None and reply.message is not None and reply.message.markdown == "noted"
    # in a channel a conversation never sees plain text
    assert await router.dispatch(InboundMessage(JOOST, HERE, "echo x"), ctx) is None


async def test_unknown_button_is_answered_politely(ctx: Context) -> None:
    reply = await router_with().dispatch(Interaction(JOOST, HERE, "gone.action", "1"), ctx)
    assert reply is not None and reply.message is not None
    assert "knop" in reply.message.markdown


def test_duplicate_registration_is_a_programming_error() -> None:
    router = router_with()

    async def other(request: CommandRequest, ctx: Context) -> None:
        return None

    with pytest.raises(ValueError, match="registered twice"):
        router.command("herhaal", other)




async def test_oversized_input_is_refused_before_any_handler(ctx: Context) -> None:
    calls: list[str] = []

    async def keep(request: CommandRequest, ctx: Context) -> Reply:
        calls.append(request.args)
        return Reply.text("kept")

    router = router_with(keep=keep)
    reply = await router.dispatch(CommandRequest(JOOST, HERE, "keep", "x" * 10_001), ctx)
    assert reply is not None and reply.message is not None
    assert "hooguit 10.000 tekens" in reply.message.markdown and calls == []
    long_dm = InboundMessage(JOOST, DM, "y" * 20_000, is_direct=True)
    refused = await router.dispatch(long_dm, ctx)
    assert refused is not None and refused.message is not None
    assert "te lang" in refused.message.markdown

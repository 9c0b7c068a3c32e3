"""The logging rule (issue 21): no log line carries an exception's message or traceback text,
nor the text of a request, because either can quote what a person wrote, anonymously or not.

A log line names the exception's type and where it was raised (``error_fields(exc)`` from
``commands.logsafe``: file:line of the innermost frames), never ``str(exc)``. The static half
walks the AST of every product module and fails on a logging call that breaks the rule; the
behavioural half raises an exception holding a secret sentence through real paths (a command
handler, a scheduled job, an adapter event) and reads the log that ``setup_logging`` writes.
"""

from __future__ import annotations

import ast
import io
import json
import logging
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from bots.app import FEATURES, App
from bots.config import Config
from bots.local.adapter import LocalAdapter
from bots.logs import setup_logging
from commands.clock import FakeClock
from commands.context import Context
from commands.logsafe import error_fields
from commands.model import CommandRequest, Reply
from commands.router import Router
from commands.schedule import JsonPayload, Trigger
from tests.slack.conftest import (  # noqa: F401 (the Slack harness's fixtures)
    SlackHarness,
    demo,
    fake_slack,
    make_slack_app,
    slack,
    slack_sections,
)
from tests.support.chat import ChatDriver

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bots", "commands", "scheduling", "storage")
HELPER = "commands/logsafe.py"
ADVICE = ("log the type and where instead: log.error(\"...\", extra={..., "
          "**error_fields(exc)}) with error_fields from commands.logsafe")
# storage/ may import only value modules of commands/ (tests/test_architecture.py).
STORAGE_ADVICE = ("log the type instead: log.error(\"...\", extra={..., "
                  "\"error_type\": type(exc).__name__})")

LOG_METHODS = {"debug", "info", "warning", "warn", "error", "critical", "fatal", "exception",
               "log"}
# Names that hold an exception wherever they appear (callback parameters, not only
# ``except ... as``), so ``log.error("%s", error)`` in an error hook is caught too.
EXCEPTION_NAMES = {"exc", "error", "err", "e", "exception", "failure"}
# Attributes of an exception that are (or hold) its message, its payload or its traceback.
MESSAGE_ATTRIBUTES = {"args", "message", "msg", "strerror", "text", "body", "detail",
                      "details", "response", "content", "__str__", "__repr__",
                      "__traceback__", "__cause__", "__context__", "__notes__"}
# What a person wrote, by the names the product code gives it.
TEXT_NAMES = {"text", "body", "payload", "content", "raw"}
# Calls that reduce an exception to what may be logged: its type, ``error_fields`` (type and
# frames) and Slack's error code (``channel_not_found``, from ``bots.slack.client``).
SAFE_EXTRACTORS = {"type", "error_fields", "error_code"}
TRACEBACK_TEXT = {"format_exc", "print_exc", "format_exception", "print_exception",
                  "format_tb", "print_tb"}

# Calls that break the rule on purpose, each with why. Keyed by (file, enclosing function,
# problem) so line moves do not break it; the test fails on an entry that matches nothing.
ALLOWED: dict[tuple[str, str, str], str] = {}


@dataclass(frozen=True)
class Problem:
    path: str
    line: int
    function: str
    kind: str
    detail: str

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.path, self.function, self.kind)

    def __str__(self) -> str:
        advice = STORAGE_ADVICE if self.path.startswith("storage/") else ADVICE
        return f"{self.path}:{self.line} ({self.function}): {self.detail}; {advice}"


def is_logging_call(node: ast.Call) -> bool:
    func = node.func
    if not isinstance(func, ast.Attribute) or func.attr not in LOG_METHODS:
        return False
    receiver = func.value
    if isinstance(receiver, ast.Name):
        name = receiver.id.lower()
    elif isinstance(receiver, ast.Attribute):
        name = receiver.attr.lower()
    elif isinstance(receiver, ast.Call) and isinstance(receiver.func, ast.Attribute):
        name = receiver.func.attr.lower()  # logging.getLogger(...).error(...)
    else:
        return False
    return name in {"logging", "getlogger"} or name.endswith(("log", "logger"))


def _bound_exceptions(tree: ast.AST) -> set[str]:
    return EXCEPTION_NAMES | {n.name for n in ast.walk(tree)
                              if isinstance(n, ast.ExceptHandler) and n.name}


def _leaks(node: ast.AST, exceptions: set[str]) -> Iterator[tuple[ast.AST, str]]:
    """Sub-expressions of a log call's arguments that put an exception's text or a person's
    text into the line. ``type(exc)`` and ``error_fields(exc)`` are the allowed uses."""
    if isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Name) and func.id in SAFE_EXTRACTORS:
            return
        if (isinstance(func, ast.Attribute) and func.attr == "get"
                and _named_field(func, node.args)):
            return  # body.get("type"): one named field, not the whole payload
        if isinstance(func, ast.Attribute) and func.attr == "exception":
            yield node, "the result of .exception() (an exception) is logged"
            return
    if isinstance(node, ast.Subscript) and _named_field(node.value, [node.slice]):
        return
    if isinstance(node, ast.Attribute):
        if node.attr in {"__class__", "__name__", "__qualname__"}:
            return
        if isinstance(node.value, ast.Name) and node.value.id in exceptions:
            if node.attr in MESSAGE_ATTRIBUTES:
                yield node, f"{node.value.id}.{node.attr} (an exception's text) is logged"
            return
        if node.attr in TEXT_NAMES:
            yield node, f".{node.attr} (a person's text) is logged"
            return
    if isinstance(node, ast.Name):
        if node.id in exceptions:
            yield node, f"{node.id} (an exception, so its message) is logged"
        elif node.id in TEXT_NAMES:
            yield node, f"{node.id} (a person's text) is logged"
        return
    for child in ast.iter_child_nodes(node):
        yield from _leaks(child, exceptions)


def _named_field(target: ast.AST, keys: list[ast.expr]) -> bool:
    """``x.get("kind")`` or ``x["kind"]``: a field named by a constant that is not text."""
    if isinstance(target, ast.Attribute) and target.attr == "get":
        target = target.value
    elif not isinstance(target, ast.Name | ast.Attribute):
        return False
    return (len(keys) >= 1 and isinstance(keys[0], ast.Constant)
            and isinstance(keys[0].value, str) and keys[0].value not in TEXT_NAMES
            and not (isinstance(target, ast.Name) and target.id in EXCEPTION_NAMES))


def _call_problems(call: ast.Call, exceptions: set[str]) -> Iterator[tuple[int, str, str]]:
    func = call.func
    assert isinstance(func, ast.Attribute)
    if func.attr == "exception":
        yield call.lineno, "log.exception", "log.exception writes the message and traceback"
    for keyword in call.keywords:
        if keyword.arg == "exc_info" and not (
            isinstance(keyword.value, ast.Constant) and keyword.value.value in (False, None)
        ):
            yield call.lineno, "exc_info", "exc_info= writes the message and traceback"
    values: list[ast.AST] = list(call.args)
    values += [k.value for k in call.keywords if k.arg not in {"exc_info", "stacklevel"}]
    for value in values:
        for node, detail in _leaks(value, exceptions):
            yield getattr(node, "lineno", call.lineno), "argument", detail


class _Visitor(ast.NodeVisitor):
    def __init__(self, path: str, exceptions: set[str]) -> None:
        self.path = path
        self.exceptions = exceptions
        self.scope: list[str] = []
        self.found: list[Problem] = []

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.scope.append(node.name)
        self.generic_visit(node)
        self.scope.pop()

    visit_FunctionDef = _function
    visit_AsyncFunctionDef = _function

    def visit_Call(self, node: ast.Call) -> None:
        where = self.scope[-1] if self.scope else "<module>"
        if is_logging_call(node):
            for line, kind, detail in _call_problems(node, self.exceptions):
                self.found.append(Problem(self.path, line, where, kind, detail))
        elif (isinstance(node.func, ast.Attribute) and node.func.attr in TRACEBACK_TEXT
              and self.path != HELPER):
            self.found.append(Problem(self.path, node.lineno, where, "traceback",
                                      f"traceback.{node.func.attr} renders the message"))
        self.generic_visit(node)


def problems_in(source: str, path: str) -> list[Problem]:
    tree = ast.parse(source, filename=path)
    visitor = _Visitor(path, _bound_exceptions(tree))
    visitor.visit(tree)
    return visitor.found


def all_problems() -> list[Problem]:
    found: list[Problem] = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if relative.startswith("storage/migrations/versions/"):
                continue
            found += problems_in(path.read_text(encoding="utf-8"), relative)
    return found


# -- the static rule -----------------------------------------------------------------------

def test_no_logging_call_writes_an_exception_message_or_a_persons_text() -> None:
    broken = [str(p) for p in all_problems() if p.key not in ALLOWED]
    assert not broken, "logging calls that break the logging rule:\n" + "\n".join(broken)


def test_every_allow_list_entry_still_matches_a_call() -> None:
    """An entry whose call was fixed (or moved to another function) must leave the list."""
    keys = {p.key for p in all_problems()}
    stale = [f"{path} ({function}): {kind}" for path, function, kind in ALLOWED
             if (path, function, kind) not in keys]
    assert not stale, "allow-list entries that match no call any more:\n" + "\n".join(stale)


def test_the_checker_sees_each_kind_of_leak() -> None:
    source = '''
import logging, traceback
log = logging.getLogger("x")
def f(request):
    try:
        pass
    except ValueError as boom:
        log.exception("a")
        log.error("b", exc_info=True)
        log.warning("c %s", boom)
        log.info(f"d {boom}")
        log.error("e", extra={"why": str(boom)})
        log.error("f", extra={"args": boom.args})
        self.logger.debug("g", extra={"said": request.text})
        logging.getLogger("y").error("h", exc_info=boom)
        traceback.format_exc()
        log.error("i", extra={"said": request.body["text"], "why": format("%s", boom)})
        log.error("j", extra={"task": task.exception()})
'''
    found = problems_in(source, "bots/example.py")
    assert [(p.line, p.kind) for p in found] == [
        (8, "log.exception"), (9, "exc_info"), (10, "argument"), (11, "argument"),
        (12, "argument"), (13, "argument"), (14, "argument"), (15, "exc_info"),
        (16, "traceback"), (17, "argument"), (17, "argument"), (18, "argument"),
    ]
    assert "bots/example.py:10 (f)" in str(found[2]) and "error_fields" in str(found[2])
    [in_storage] = problems_in("log.exception('x')\n", "storage/x.py")
    assert "type(exc).__name__" in str(in_storage)  # storage may not import commands.logsafe


def test_the_checker_lets_the_rule_through() -> None:
    source = '''
import logging
from commands.logsafe import error_fields
log = logging.getLogger("x")
async def g(task, request):
    try:
        pass
    except OSError as exc:
        log.error("a", extra={"kind": "k", **error_fields(exc)})
        log.warning("b", extra={"error_type": type(exc).__name__, "reason": exc.reason})
        log.info("c", exc_info=False, extra={"route": request.action[:64]})
        log.debug("d", extra={"type": exc.__class__.__name__})
        log.error("e", extra={"kind": request.body.get("type"), "code": error_code(exc)})
'''
    assert problems_in(source, "commands/example.py") == []


# -- the behaviour: a secret in an exception never reaches the log -------------------------

SECRET = "Bram pest mij al maanden, de kluiscode is 4711"


def _secret_error(kind: type[Exception] = RuntimeError) -> Exception:
    return kind(f"could not handle {SECRET!r}")


def _explosive(router: Router) -> None:
    """A feature whose command and job fail with the person's words in the message, as a
    parse error quoting its input would."""
    async def explode(request: CommandRequest, ctx: Context) -> Reply | None:
        raise _secret_error()

    async def explode_job(payload: JsonPayload, ctx: Context) -> None:
        raise _secret_error(ValueError)

    router.command("ontplof", explode)
    router.job("logtest.explode", explode_job)


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    """What ``setup_logging`` writes (JSON, DEBUG for everything); the root logger is put
    back by ``tests/conftest.py``."""
    stream = io.StringIO()
    setup_logging("DEBUG", fmt="json", stream=stream)
    yield stream


def _events(stream: io.StringIO, event: str) -> list[dict[str, Any]]:
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    return [line for line in lines if line["event"] == event]


def _assert_no_secret(stream: io.StringIO) -> None:
    logged = stream.getvalue()
    assert "4711" not in logged and "kluiscode" not in logged and "Bram" not in logged, logged


@pytest.fixture
async def explosive_app(config: Config, clock: FakeClock) -> AsyncIterator[App]:
    app = App(config, clock=clock, adapters=[LocalAdapter(config.local)],
              features=(_explosive, *FEATURES))
    await app.start(serve_http=False)
    try:
        yield app
    finally:
        await app.stop()


async def test_a_failing_command_logs_its_type_and_place_not_its_message(
    explosive_app: App, clock: FakeClock, log_lines: io.StringIO
) -> None:
    chat = ChatDriver(explosive_app, explosive_app.adapters[0], clock)  # type: ignore[arg-type]
    out = await chat.run("@anna\n/hartslag ontplof")
    assert "4711" not in out
    [line] = _events(log_lines, "handler failed")
    assert line["error_type"] == "RuntimeError" and line["request_kind"] == "InboundMessage"
    assert "tests/test_logging_rule.py:" in line["where"] and "in explode" in line["where"]
    _assert_no_secret(log_lines)


async def test_a_failing_scheduled_job_logs_its_type_and_place_not_its_message(
    explosive_app: App, clock: FakeClock, log_lines: io.StringIO
) -> None:
    at = clock.now() + timedelta(minutes=5)
    await explosive_app.scheduler.add("logtest.explode", Trigger("once", at=at), {},
                                      owner="system")
    clock.set(at + timedelta(seconds=1))
    await explosive_app.scheduler.run_due()
    [line] = _events(log_lines, "scheduled job failed")
    assert line["error_type"] == "ValueError" and line["kind"] == "logtest.explode"
    assert "in explode_job" in line["where"] and "error" not in line
    _assert_no_secret(log_lines)


async def test_a_failing_slack_event_logs_its_type_and_place_not_its_message(
    slack: SlackHarness,  # noqa: F811 (the fixture imported above, as pytest passes it)
    log_lines: io.StringIO, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A DM over the real Slack HTTP path whose handling fails past the router (a bug in
    the adapter's own work): the adapter's task boundary logs it."""
    async def broken_sink(request: Any) -> Any:
        raise _secret_error(KeyError)

    adapter = next(a for a in slack.app.adapters if a.platform == "slack")
    monkeypatch.setattr(adapter, "_sink", broken_sink)
    await slack.dm("echo hallo")
    [line] = _events(log_lines, "slack work failed")
    assert line["error_type"] == "KeyError" and "in broken_sink" in line["where"]
    _assert_no_secret(log_lines)


def test_a_library_logging_an_exception_with_its_message_gets_type_and_frames(
    log_lines: io.StringIO,
) -> None:
    """The Teams SDK's HTTP server does ``logger.exception(str(e))`` when an activity fails
    to validate; pydantic's message quotes the input, the person's text. Other SDKs log
    ``"...: %s", e`` or ``logger.error(e)``."""
    class Activity(BaseModel):
        text: int

    sdk = logging.getLogger("microsoft_teams.apps.http.http_server")
    try:
        Activity.model_validate({"text": SECRET})
    except ValidationError as exc:
        sdk.exception(str(exc))
        sdk.error("Handler failed for event '%s': %s", "activity", exc)
        logging.getLogger("nio.crypto").error(exc)
    lines = [json.loads(line) for line in log_lines.getvalue().splitlines()]
    assert [line["event"] for line in lines] == [
        "pydantic_core._pydantic_core.ValidationError (message withheld)",
        "Handler failed for event 'activity': pydantic_core._pydantic_core.ValidationError",
        "pydantic_core._pydantic_core.ValidationError",
    ]
    assert "test_logging_rule.py" in lines[0]["where"] and "error" not in lines[0]
    _assert_no_secret(log_lines)


def test_error_fields_name_the_type_the_frames_and_the_cause_never_a_message() -> None:
    def parse(text: str) -> int:
        return int(text)

    try:
        try:
            parse(SECRET)
        except ValueError as inner:
            raise LookupError(f"no answer for {SECRET}") from inner
    except LookupError as exc:
        fields = error_fields(exc)
    assert fields["error_type"] == "LookupError" and fields["cause_type"] == "ValueError"
    assert fields["where"].startswith("tests/test_logging_rule.py:")
    assert "in parse" in fields["cause_where"]
    assert not any("4711" in value for value in fields.values())

"""Structured logging: one JSON (or key=value) line per event.

Only fields given explicitly in ``extra`` are written, never the arguments of a request, so
the text or sender of something anonymous cannot slip into a log line by accident. Exception
tracebacks are written without local variables.

Our own loggers (``hartslag.*``) follow the logging rule of ``commands.logsafe``, checked by
``tests/test_logging_rule.py``. Libraries' loggers cannot be checked that way, and slack_bolt,
the Teams SDK, nio, uvicorn and asyncio log exceptions with their message (a pydantic error
quoting an activity's text, a schema error quoting a Matrix event), so for their records the
exception becomes type and frames, and an exception in the arguments its type.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from commands.logsafe import error_fields, type_name

_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


class OneLineFormatter(logging.Formatter):
    def __init__(self, *, json_lines: bool = True) -> None:
        super().__init__()
        self.json_lines = json_lines

    def format(self, record: logging.LogRecord) -> str:
        fields: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage() if _own(record) else _library_event(record),
        }
        fields |= {k: v for k, v in vars(record).items() if k not in _STANDARD}
        if record.exc_info and _own(record):
            fields["error"] = self.formatException(record.exc_info).replace("\n", " | ")
        elif record.exc_info and record.exc_info[1] is not None:
            fields |= error_fields(record.exc_info[1])
        if self.json_lines:
            return json.dumps(fields, default=str, ensure_ascii=False)
        return " ".join(f"{k}={v}" for k, v in fields.items())


def _own(record: logging.LogRecord) -> bool:
    return record.name == "hartslag" or record.name.startswith("hartslag.")


def _library_event(record: logging.LogRecord) -> str:
    """A library's message without exception text: ``logger.error(e)``, ``"...: %s", e`` and
    ``logger.exception(str(e))`` (the Teams SDK's HTTP server) keep only the type."""
    exc = record.exc_info[1] if record.exc_info else None
    if isinstance(record.msg, BaseException):
        return type_name(record.msg)
    text = str(record.msg)
    if exc is not None and text == str(exc):
        return f"{type_name(exc)} (message withheld)"
    args = record.args
    if isinstance(args, tuple):
        args = tuple(type_name(a) if isinstance(a, BaseException) else a for a in args)
    try:
        return text % args if args else text
    except (TypeError, ValueError):
        return text  # a library's own formatting bug: the template, not a traceback


def setup_logging(level: str = "INFO", *, fmt: str = "json", stream: Any = None,
                  file: Path | None = None, stream_level: str | None = None) -> None:
    """One handler on ``stream`` (stderr), plus one on ``file`` when given. ``stream_level``
    raises the stream's threshold above ``level`` (the local chat: the terminal shows only
    warnings, the file gets everything, so log lines do not break into the conversation)."""
    formatter = OneLineFormatter(json_lines=fmt == "json")
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(formatter)
    handler.setLevel(stream_level or level)
    handlers: list[logging.Handler] = [handler]
    if file is not None:
        to_file = logging.FileHandler(file, encoding="utf-8")
        to_file.setFormatter(formatter)
        to_file.setLevel(level)
        handlers.append(to_file)
    root = logging.getLogger()
    for old in root.handlers:
        if isinstance(old, logging.FileHandler):  # a chat's log file set up before
            old.close()
    root.handlers[:] = handlers
    root.setLevel(min(logging.getLevelName(level), logging.getLevelName(stream_level or level)))
    # Libraries that log request bodies or user ids at INFO/DEBUG stay at WARNING.
    for noisy in ("slack_bolt", "slack_sdk", "nio", "httpx", "uvicorn.access", "apscheduler",
                  "microsoft_teams", "aiosqlite", "sqlalchemy", "alembic"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))

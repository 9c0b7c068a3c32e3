"""Structured logging: one JSON (or key=value) line per event.

Only fields given explicitly in ``extra`` are written, never the arguments of a request, so
the text or sender of something anonymous cannot slip into a log line by accident. Exception
tracebacks are written without local variables.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

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
            "event": record.getMessage(),
        }
        fields |= {k: v for k, v in vars(record).items() if k not in _STANDARD}
        if record.exc_info:
            fields["error"] = self.formatException(record.exc_info).replace("\n", " | ")
        if self.json_lines:
            return json.dumps(fields, default=str, ensure_ascii=False)
        return " ".join(f"{k}={v}" for k, v in fields.items())


def setup_logging(level: str = "INFO", *, fmt: str = "json", stream: Any = None) -> None:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(OneLineFormatter(json_lines=fmt == "json"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Libraries that log request bodies or user ids at INFO/DEBUG stay at WARNING.
    for noisy in ("slack_bolt", "slack_sdk", "nio", "httpx", "uvicorn.access", "apscheduler",
                  "microsoft_teams", "aiosqlite", "sqlalchemy", "alembic"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))

"""Structured logs: one JSON line per event with only the fields named explicitly."""

from __future__ import annotations

import io
import json
import logging

from bots.logs import setup_logging


def test_one_json_line_per_event_with_extras_and_flattened_traceback() -> None:
    stream = io.StringIO()
    setup_logging("INFO", fmt="json", stream=stream)
    log = logging.getLogger("hartslag.test")
    log.info("delivered", extra={"platform": "slack", "count": 3})
    try:
        raise ValueError("boom")
    except ValueError:
        log.exception("failed", extra={"route": "command:x"})
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert first["event"] == "delivered" and first["platform"] == "slack" and first["count"] == 3
    assert second["route"] == "command:x" and "ValueError: boom" in second["error"]
    logging.getLogger().handlers.clear()

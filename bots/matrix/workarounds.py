"""Where the Matrix adapter works around matrix-nio: its logging, endpoints it does not wrap,
an event type it does not parse.

Each function says why, the nio version it was checked on and what breaks without it.
``tests/matrix/test_workarounds.py`` checks against the installed nio that what they rely on
still holds and that each still takes effect; ``pyproject.toml`` bounds matrix-nio to the
versions checked.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from nio import AsyncClient, UnknownToDeviceEvent

from bots.matrix.unreadable import WITHHELD

CHECKED = {"matrix-nio": "0.26.0"}

# nio logs user ids (and device ids) at INFO and WARNING, e.g. for every message it cannot
# decrypt; the people talking to the bot include anonymous senders, so only its errors pass.
NIO_LOG_LEVEL = logging.ERROR


def quiet_nio_logs() -> None:
    """Raise nio's loggers (all children of ``nio``) to ERROR, unless set higher already.

    Why: nio logs user and device ids at INFO and WARNING (a line per message it cannot
    decrypt, with the sender); for an anonymous signal that line would say who wrote it.
    ``bots.logs.setup_logging`` sets WARNING for library loggers, which is not enough here.

    Checked on matrix-nio 0.26.0, whose modules log through ``logging.getLogger(__name__)``
    (``nio.client.async_client``, ``nio.crypto.olm_machine``, ...). If nio logged under
    another name, these lines would reach the logs again."""
    nio_log = logging.getLogger("nio")
    nio_log.setLevel(max(nio_log.getEffectiveLevel(), NIO_LOG_LEVEL))
    validation = logging.getLogger(NIO_VALIDATION_LOGGER)
    if not any(isinstance(f, _WithoutValidationDetails) for f in validation.filters):
        validation.addFilter(_WithoutValidationDetails())


# nio's event validation logs ``f"Error validating event: {str(e)}"`` at ERROR, and a
# jsonschema error quotes the event it refused (an invite's or a receipt's user ids, a room
# name): past the level above, and already formatted, so the log formatter cannot redact it.
NIO_VALIDATION_LOGGER = "nio.events.misc"
NIO_VALIDATION_PREFIX = "Error validating event"


class _WithoutValidationDetails(logging.Filter):
    """Keeps nio's "Error validating event" line but drops the quoted event from it.

    Checked on matrix-nio 0.26.0 (``nio/events/misc.py``: ``verify`` logs at WARNING,
    ``verify_or_none`` at ERROR, both with the message built by an f-string)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if str(record.msg).startswith(NIO_VALIDATION_PREFIX):
            record.msg, record.args = f"{NIO_VALIDATION_PREFIX} (details withheld)", ()
        return True


@dataclass(frozen=True)
class RawAnswer:
    """A homeserver's answer to :func:`raw_call`: status, decoded JSON, ``Retry-After``."""

    status: int
    body: Any
    retry_after: str | None


async def raw_call(client: AsyncClient, method: str, path: str,
                   body: Mapping[str, Any] | None = None) -> RawAnswer:
    """A client-server API call nio does not wrap, on nio's own HTTP session and login.

    Why: nio 0.26 has no methods for the relations API (``reaction_count``) or the
    cross-signing endpoints (``bots.matrix.crosssigning``). ``AsyncClient.send`` is its
    low-level request method: it adds the homeserver URL, TLS settings and timeout but no
    access token, and it needs nio's session to exist (nio opens it on login or the first
    sync, both before any call here). Raises what aiohttp raises (``ClientError``,
    ``TimeoutError``, ``OSError``) and ``ValueError`` on an answer that is not JSON.

    Checked on matrix-nio 0.26.0 (``send(method, path, data, headers, ...)`` returning an
    aiohttp ``ClientResponse``). If that changes, reaction counts and cross-signing fail with
    a TypeError at their first call; the rest of the bot keeps working."""
    headers = {"Authorization": f"Bearer {client.access_token}"}
    data = None
    if body is not None:
        headers["Content-Type"] = "application/json"
        data = json.dumps(body)
    async with await client.send(method, path, data, headers=headers) as answer:
        found = await answer.json(content_type=None)
        return RawAnswer(answer.status, found, answer.headers.get("Retry-After"))


def on_room_key_withheld(client: AsyncClient,
                         record: Callable[[Mapping[str, Any]], None]) -> None:
    """Call ``record`` with the content of every ``m.room_key.withheld`` to-device event.

    Why: a sender's client that keeps the room key from the bot says so with this event
    (``bots.matrix.unreadable``); nio 0.26 does not parse it, so it arrives as an
    ``UnknownToDeviceEvent`` and is recognised by its type. nio runs to-device callbacks
    before the room events of the same sync, so the code is known when the undecryptable
    message is handled.

    Checked on matrix-nio 0.26.0. If a newer nio parses the event into a class of its own,
    this callback never fires and people whose client withholds keys from the bot get the
    generic "could not read your message" instead of what to change."""
    def on_event(event: UnknownToDeviceEvent) -> None:
        if event.type == WITHHELD:
            record(event.source.get("content") or {})

    client.add_to_device_callback(on_event, UnknownToDeviceEvent)

"""Build Slack requests the way Slack sends them: bodies plus v0 HMAC-SHA256 signatures."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

SECRET = "test-signing-secret"
TEAM = "T0HART"


def sign(body: str, *, secret: str = SECRET, timestamp: int | None = None,
         content_type: str = "application/x-www-form-urlencoded") -> dict[str, str]:
    """Headers for ``body``: X-Slack-Request-Timestamp and X-Slack-Signature."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    signature = str(SignatureVerifier(secret).generate_signature(timestamp=ts, body=body))
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": signature,
            "Content-Type": content_type}


def slash_command(text: str, *, user: str = "U0ANNA", channel: str = "C0ALG",
                  trigger_id: str = "trig-1", response_url: str = "",
                  command: str = "/hartslag") -> str:
    return urlencode({
        "token": "legacy", "team_id": TEAM, "team_domain": "hartslag", "channel_id": channel,
        "channel_name": "algemeen", "user_id": user, "user_name": user.lower(),
        "command": command, "text": text, "api_app_id": "A0HART", "is_enterprise_install":
        "false", "response_url": response_url, "trigger_id": trigger_id,
    })


def _interactive(payload: Mapping[str, Any]) -> str:
    return urlencode({"payload": json.dumps(payload)})


def block_actions_payload(action_id: str, value: str, *, user: str = "U0ANNA",
                          channel: str = "C0ALG", message_ts: str = "1700000000.000001",
                          response_url: str = "", trigger_id: str = "trig-2") -> dict[str, Any]:
    return {
        "type": "block_actions", "team": {"id": TEAM, "domain": "hartslag"},
        "user": {"id": user, "username": user.lower(), "team_id": TEAM},
        "api_app_id": "A0HART", "token": "legacy", "trigger_id": trigger_id,
        "container": {"type": "message", "message_ts": message_ts, "channel_id": channel,
                      "is_ephemeral": False},
        "channel": {"id": channel, "name": "algemeen"},
        "message": {"type": "message", "ts": message_ts, "text": "x", "user": "U0BOT"},
        "response_url": response_url,
        "actions": [{"type": "button", "action_id": action_id, "block_id": "choices",
                     "value": value, "text": {"type": "plain_text", "text": value},
                     "action_ts": "1700000001.0"}],
    }


def block_actions(action_id: str, value: str, **kwargs: Any) -> str:
    return _interactive(block_actions_payload(action_id, value, **kwargs))


def view_submission_payload(callback_id: str, values: Mapping[str, Any], *,
                            private_metadata: str = "", user: str = "U0ANNA") -> dict[str, Any]:
    """``values`` maps field name to the Slack ``state.values`` entry of that field."""
    return {
        "type": "view_submission", "team": {"id": TEAM, "domain": "hartslag"},
        "user": {"id": user, "username": user.lower(), "team_id": TEAM},
        "api_app_id": "A0HART", "token": "legacy", "trigger_id": "trig-3",
        "view": {"id": "V1", "type": "modal", "callback_id": callback_id,
                 "private_metadata": private_metadata, "team_id": TEAM,
                 "state": {"values": {name: {name: entry} for name, entry in values.items()}}},
    }


def view_submission(callback_id: str, values: Mapping[str, Any], **kwargs: Any) -> str:
    return _interactive(view_submission_payload(callback_id, values, **kwargs))


def event_payload(event: Mapping[str, Any], *, event_id: str = "Ev0001") -> dict[str, Any]:
    return {
        "token": "legacy", "team_id": TEAM, "api_app_id": "A0HART", "type": "event_callback",
        "event": dict(event), "event_id": event_id, "event_time": int(time.time()),
        "authorizations": [{"team_id": TEAM, "user_id": "U0BOT", "is_bot": True}],
    }


def event(event: Mapping[str, Any], *, event_id: str = "Ev0001") -> str:
    return json.dumps(event_payload(event, event_id=event_id))


def dm(text: str, *, user: str = "U0ANNA", channel: str = "D0ANNA", ts: str = "1.1") -> dict[str, Any]:
    return {"type": "message", "channel_type": "im", "channel": channel, "user": user,
            "text": text, "ts": ts, "event_ts": ts}


def mention(text: str, *, user: str = "U0ANNA", channel: str = "C0ALG", ts: str = "1.2") -> dict[str, Any]:
    return {"type": "app_mention", "channel": channel, "user": user,
            "text": f"<@U0BOT> {text}", "ts": ts, "event_ts": ts}

"""JSON forms of what the outbox stores: messages (stored once per content hash) and
recipients (an Address or a UserRef), and the delivery id of a (batch, target)."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from commands.model import Address, Choice, Image, MessageRef, OutgoingMessage, UserRef


def message_to_json(message: OutgoingMessage) -> str:
    data: dict[str, Any] = {
        "markdown": message.markdown,
        "title": message.title,
        "choices": [[c.action, c.value, c.label, c.style] for c in message.choices],
        "metadata": dict(message.metadata),
        "image": None,
    }
    if message.image is not None:
        data["image"] = {
            "png": base64.b64encode(message.image.png).decode("ascii"),
            "alt_text": message.image.alt_text, "filename": message.image.filename,
        }
    return json.dumps(data, sort_keys=True, ensure_ascii=False)


def message_from_json(text: str) -> OutgoingMessage:
    data = json.loads(text)
    image = data.get("image")
    return OutgoingMessage(
        markdown=data["markdown"],
        title=data.get("title"),
        choices=tuple(Choice(a, v, label, style) for a, v, label, style in data["choices"]),
        metadata=dict(data.get("metadata") or {}),
        image=Image(base64.b64decode(image["png"]), image["alt_text"], image["filename"])
        if image else None,
    )


def digest(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def delivery_id(batch: str, target: str, installation: str = "") -> str:
    """Deterministic per database: the same (batch, target) always has the same id (Matrix
    txn id), and ``installation`` (random, one per database) keeps two databases' ids apart,
    so reconciliation after a restore never takes another installation's post for ours.
    Ids made before the installation id (``installation=""``) are unchanged; stored rows keep
    the id they were sent with."""
    key = f"{installation}\0{batch}\0{target}" if installation else f"{batch}\0{target}"
    return "hs" + hashlib.sha256(key.encode()).hexdigest()[:30]


def recipient_to_json(target: Address | UserRef) -> str:
    if isinstance(target, Address):
        return json.dumps({"address": str(target)})
    return json.dumps({"user": [target.platform, target.id, target.display_name,
                                target.workspace]})


def recipient_from_json(text: str) -> Address | UserRef:
    data = json.loads(text)
    if "address" in data:
        return Address.parse(data["address"])
    platform, user_id, name, workspace = data["user"]
    return UserRef(platform, user_id, name, workspace)


def ref_to_json(ref: MessageRef) -> dict[str, str]:
    return {"address": str(ref.address), "message_id": ref.message_id}



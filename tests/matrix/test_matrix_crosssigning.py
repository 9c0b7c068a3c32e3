"""Cross-signing of the bot account against a real Synapse, checked from another account.

What another client sees is what matters: its ``POST /keys/query`` for the bot must show a
master key and a self-signing key, the self-signing key signed by the master key and the
bot's device key signed by the self-signing key. The signatures are checked with vodozemac
(the bot signs with ``cryptography``), over canonical JSON, on the keys as Synapse stores
them.
"""

from __future__ import annotations

import json
import stat
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
import vodozemac

from bots.matrix.crosssigning import canonical_json
from tests.matrix.harness import adapter_of
from tests.matrix.homeserver import MatrixUser, Synapse

pytestmark = pytest.mark.synapse

StartBot = Callable[..., Awaitable[Any]]


def query(synapse: Synapse, viewer: MatrixUser, user_id: str) -> dict[str, Any]:
    return synapse.request("POST", "/_matrix/client/v3/keys/query",
                           {"device_keys": {user_id: []}}, token=viewer.access_token)


def only_key(entry: dict[str, Any]) -> tuple[str, str]:
    (key_id, public), = entry["keys"].items()
    return key_id, public


def verified(entry: dict[str, Any], signer: str, key_id: str, public: str) -> bool:
    """Whether ``entry`` carries a valid signature of ``public`` by ``signer``."""
    signature = entry.get("signatures", {}).get(signer, {}).get(key_id)
    if signature is None:
        return False
    body = {k: v for k, v in entry.items() if k not in ("signatures", "unsigned")}
    try:
        vodozemac.Ed25519PublicKey.from_base64(public).verify_signature(
            canonical_json(body), vodozemac.Ed25519Signature.from_base64(signature))
    except vodozemac.SignatureException:
        return False
    return True


def assert_cross_signed(answer: dict[str, Any], user_id: str, device_id: str) -> str:
    """Check the chain master -> self-signing -> device; return the master public key."""
    master = answer["master_keys"][user_id]
    self_signing = answer["self_signing_keys"][user_id]
    assert master["usage"] == ["master"] and self_signing["usage"] == ["self_signing"]
    master_id, master_public = only_key(master)
    ssk_id, ssk_public = only_key(self_signing)
    assert verified(self_signing, user_id, master_id, master_public)
    device = answer["device_keys"][user_id][device_id]
    assert verified(device, user_id, ssk_id, ssk_public), device.get("signatures")
    # and the device still carries its own signature (we added ours, did not replace it)
    assert verified(device, user_id, f"ed25519:{device_id}",
                    device["keys"][f"ed25519:{device_id}"])
    return master_public


async def test_bot_device_is_cross_signed_as_other_clients_see_it(
    synapse: Synapse, start_bot: StartBot, bot_user: MatrixUser, tmp_path: Path
) -> None:
    viewer = synapse.user("kees")
    assert not query(synapse, viewer, bot_user.user_id).get("master_keys", {}).get(
        bot_user.user_id), "a fresh account starts without cross-signing"

    app = await start_bot()

    adapter = adapter_of(app)
    assert adapter.cross_signing_problem is None
    answer = query(synapse, viewer, bot_user.user_id)
    assert_cross_signed(answer, bot_user.user_id, bot_user.device_id)
    secrets_file = tmp_path / "matrix-data" / "cross_signing.json"
    assert stat.S_IMODE(secrets_file.stat().st_mode) == 0o600
    stored = json.loads(secrets_file.read_text())
    assert set(stored) == {"user_id", "master", "self_signing", "user_signing"}
    assert stored["master"] not in json.dumps(answer), "only public keys leave the bot"


async def test_keys_survive_a_restart_and_a_new_device_is_signed(
    synapse: Synapse, start_bot: StartBot, bot_user: MatrixUser
) -> None:
    viewer = synapse.user("joke")
    app = await start_bot()
    first = assert_cross_signed(query(synapse, viewer, bot_user.user_id), bot_user.user_id,
                                bot_user.device_id)
    await app.stop()

    # A new login is a new device; the stored keys sign it (no new identity, no password).
    login = synapse.request("POST", "/_matrix/client/v3/login", {
        "type": "m.login.password", "password": bot_user.password,
        "identifier": {"type": "m.id.user", "user": bot_user.user_id}})
    again = await start_bot(access_token=login["access_token"], device_id=login["device_id"])

    assert adapter_of(again).cross_signing_problem is None
    answer = query(synapse, viewer, bot_user.user_id)
    assert assert_cross_signed(answer, bot_user.user_id, login["device_id"]) == first
    assert_cross_signed(answer, bot_user.user_id, bot_user.device_id)  # the old one still


async def test_replacing_keys_set_up_elsewhere_needs_the_password(
    synapse: Synapse, start_bot: StartBot, bot_user: MatrixUser, tmp_path: Path
) -> None:
    viewer = synapse.user("lotte")
    app = await start_bot()
    await app.stop()
    # The data dir lost its keys (a restore without cross_signing.json): new keys must
    # replace the published ones, which Synapse allows only with the account password.
    (tmp_path / "matrix-data" / "cross_signing.json").unlink()

    without = await start_bot()
    problem = adapter_of(without).cross_signing_problem
    assert problem is not None and "matrix.password" in problem
    assert adapter_of(without).health() is None, "the bot keeps running for other clients"
    await without.stop()

    with_password = await start_bot(password=bot_user.password)
    assert adapter_of(with_password).cross_signing_problem is None
    answer = query(synapse, viewer, bot_user.user_id)
    assert_cross_signed(answer, bot_user.user_id, bot_user.device_id)

"""The cross-signing keys without a homeserver: canonical JSON, signatures that another
ed25519 implementation (vodozemac) accepts, and a keys file that is checked before use."""

from __future__ import annotations

import vodozemac

from bots.matrix.crosssigning import Identity, canonical_json, signable

USER = "@hartslag:example.org"


def verifies(value: dict[str, object], public: str, signature: str) -> bool:
    try:
        vodozemac.Ed25519PublicKey.from_base64(public).verify_signature(
            canonical_json(signable(value)), vodozemac.Ed25519Signature.from_base64(signature))
    except vodozemac.SignatureException:
        return False
    return True


def test_canonical_json_is_the_spec_form() -> None:
    # The spec's own example: sorted keys, no spaces, UTF-8 kept as is.
    assert canonical_json({"b": "2", "a": "1"}) == b'{"a":"1","b":"2"}'
    assert canonical_json({"a": "\u65e5\u672c\u8a9e"}) == '{"a":"日本語"}'.encode()


def test_identity_signs_its_keys_and_survives_the_file() -> None:
    identity = Identity.generate()
    body = identity.public_keys(USER)
    master = identity.master
    for part in ("self_signing_key", "user_signing_key"):
        signature = body[part]["signatures"][USER][master.key_id]
        assert verifies(body[part], master.public, signature)
        tampered = {**body[part], "usage": ["master"]}
        assert not verifies(tampered, master.public, signature)
    again = Identity.from_file(identity.to_file(USER))
    assert again is not None and again.master.public == master.public


def test_a_damaged_keys_file_is_not_used() -> None:
    good = Identity.generate().to_file(USER)
    assert Identity.from_file({}) is None
    assert Identity.from_file({**good, "master": "kort"}) is None
    assert Identity.from_file({**good, "self_signing": "!!!"}) is None


def test_signing_keeps_the_existing_signatures() -> None:
    identity = Identity.generate()
    device = {"user_id": USER, "device_id": "DEV", "keys": {"ed25519:DEV": "x"},
              "signatures": {USER: {"ed25519:DEV": "own"}}, "unsigned": {"n": 1}}
    signed = identity.self_signing.sign(device, USER)
    assert signed["signatures"][USER]["ed25519:DEV"] == "own"
    assert verifies(signed, identity.self_signing.public,
                    signed["signatures"][USER][identity.self_signing.key_id])
    assert device["signatures"] == {USER: {"ed25519:DEV": "own"}}, "the input is not changed"

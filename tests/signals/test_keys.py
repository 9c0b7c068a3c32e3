"""The relay seal (AES-GCM, no timestamp, fixed size, bound to its case), keyed hashes, key
rotation, demo key files and refusing to run without keys."""

from __future__ import annotations

import base64
import io
import os
import stat
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from commands.signals.keys import KeyConfigError, SignalKeyring, SignalKeys, new_key
from commands.signals.service import reseal_relays
from commands.signals.settings import SignalSettings
from storage.db import Database
from tests.signals.conftest import CODE, all_rows, code_and_ref, signal_config


def raw(key: str) -> bytes:
    return base64.urlsafe_b64decode(key)


def test_seal_opens_only_for_its_case_and_hides_length_and_time() -> None:
    keys = SignalKeys([raw(new_key())], raw(new_key()))
    short = keys.seal(b'{"i":"U1"}', case="S-AAAAAA")
    long = keys.seal(b'{"i":"@a-very-long-matrix-user-name:example.org"}', case="S-AAAAAA")
    assert len(short) == len(long)  # padded: the length says nothing about the id
    assert keys.seal(b"x", case="S-AAAAAA") != keys.seal(b"x", case="S-AAAAAA")  # random nonce
    assert keys.unseal(short, case="S-AAAAAA") == b'{"i":"U1"}'
    assert keys.unseal(short, case="S-BBBBBB") is None  # bound to its case
    tampered = base64.urlsafe_b64encode(b"\0" * 40).decode()
    assert keys.unseal(tampered, case="S-AAAAAA") is None
    assert "U1" not in base64.urlsafe_b64decode(short).decode("latin-1")
    assert repr(keys) == "SignalKeys(<withheld>)"


def test_keyed_hashes_depend_on_purpose_and_secret() -> None:
    secret = raw(new_key())
    a, b = SignalKeys([raw(new_key())], secret), SignalKeys([raw(new_key())], secret)
    assert a.keyed("rate:1", "local:joost") == b.keyed("rate:1", "local:joost")
    assert a.keyed("rate:1", "local:joost") != a.keyed("rate:2", "local:joost")
    other = SignalKeys([raw(new_key())], raw(new_key()))
    assert other.keyed("rate:1", "local:joost") != a.keyed("rate:1", "local:joost")


async def test_bad_keys_name_the_setting_never_the_value(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'k.db'}")
    try:
        with pytest.raises(KeyConfigError, match=r"^signals.relay_key: not urlsafe base64") as caught:
            await SignalKeyring(db).keys(SignalSettings(relay_key="not*base64!", hmac_secret=new_key()))
        assert "not*base64!" not in str(caught.value)
        with pytest.raises(KeyConfigError, match="must be 32 bytes"):
            await SignalKeyring(db).keys(SignalSettings(relay_key="c2hvcnQ=", hmac_secret=new_key()))
        with pytest.raises(KeyConfigError, match="HARTSLAG_SIGNALS_RELAY_KEY"):
            await SignalKeyring(db).keys(SignalSettings(allow_demo_keys=False))
        with pytest.raises(KeyConfigError, match="cannot read the key file"):
            await SignalKeyring(db).keys(SignalSettings(relay_key_file=str(tmp_path / "nope"),
                                                        hmac_secret=new_key()))
    finally:
        await db.dispose()


async def test_demo_key_files_next_to_the_database(tmp_path: Path, log_output: io.StringIO) -> None:
    db = Database(f"sqlite:///{tmp_path / 'demo.db'}")
    try:
        first = await SignalKeyring(db).keys(SignalSettings())
        folder = tmp_path / "hartslag-keys"
        for name in ("signals-relay.key", "signals-hmac.key"):
            assert stat.S_IMODE(os.stat(folder / name).st_mode) == 0o600
        again = await SignalKeyring(db).keys(SignalSettings())
        token = first.seal(b"same keys", case="S-AAAAAA")
        assert again.unseal(token, case="S-AAAAAA") == b"same keys"
        logs = log_output.getvalue()
        assert "demo key file" in logs and "not for production" in logs
        assert (folder / "signals-relay.key").read_text().strip() not in logs
    finally:
        await db.dispose()


async def test_key_files_and_rotation(tmp_path: Path) -> None:
    old, new, secret = new_key(), new_key(), new_key()
    (tmp_path / "relay.key").write_text(f"{new}\n{old}\n")
    (tmp_path / "hmac.key").write_text(secret)
    db = Database(f"sqlite:///{tmp_path / 'r.db'}")
    try:
        both = await SignalKeyring(db).keys(SignalSettings(
            relay_key_file=str(tmp_path / "relay.key"), hmac_secret_file=str(tmp_path / "hmac.key")))
        token = SignalKeys([raw(old)], raw(secret)).seal(b"sealed with the old key", case="S-A")
        assert both.unseal(token, case="S-A") == b"sealed with the old key"
        assert SignalKeys([raw(new)], raw(secret)).unseal(
            both.seal(b"x", case="S-A"), case="S-A") == b"x"  # the first key seals
    finally:
        await db.dispose()


async def test_rekey_reseals_every_mapping(chat: Any, app: Any) -> None:
    _, ref = await code_and_ref(app, await chat.run("@joost\ndm\n/hartslag signaal\ngeen\ngeen\n"
                                         "Wordt opnieuw verzegeld.\nja\n"))
    before = (await all_rows(app))["signal_relay"]
    assert await reseal_relays(app.context()) == (1, 0)
    after = (await all_rows(app))["signal_relay"]
    assert before[0][0] == after[0][0] == ref and before[0][1] != after[0][1]
    out = await chat.run(f"@tess\ndm\n/hartslag signaal beantwoord {ref} Komt nog aan.\n")
    assert "bezorgd" in out and "[dm joost] hartslag" in out


async def test_without_keys_nothing_can_be_written(db_url: str, tmp_path: Path, clock: Any) -> None:
    from bots.app import App
    from bots.local.adapter import LocalAdapter
    from tests.support.chat import ChatDriver

    config = signal_config(db_url, tmp_path, relay_key="", hmac_secret="")
    adapter = LocalAdapter(config.local)
    app = App(config, clock=clock, adapters=[adapter])
    await app.start(serve_http=False)
    try:
        out = await ChatDriver(app, adapter, clock).run("@joost\ndm\n/hartslag signaal\n")
        assert "niet goed ingesteld" in out and "Schrijf" not in out
    finally:
        await app.stop()


async def test_hmac_secret_rotation_keeps_codes_and_blocks(db_url: str, tmp_path: Path,
                                                          clock: Any) -> None:
    """Old secret behind the new one: codes and blocks made before still work; `rekey`
    re-hashes the codes of answerable cases so the old secret can go (blocks then lapse)."""
    from bots.app import App
    from bots.local.adapter import LocalAdapter
    from tests.support.chat import ChatDriver

    old, new = new_key(), new_key()

    async def with_app(secret: str, script: str, *, rekey: bool = False) -> str:
        config = signal_config(db_url, tmp_path, hmac_secret=secret)
        adapter = LocalAdapter(config.local)
        app = App(config, clock=clock, adapters=[adapter])
        await app.start(serve_http=False)
        try:
            out = await ChatDriver(app, adapter, clock).run(script)
            if rekey:
                assert await reseal_relays(app.context()) == (1, 0)
            return out
        finally:
            await app.stop()

    out = await with_app(old, "@joost\ndm\n/hartslag signaal\ngeen\ngeen\nOnder het oude "
                                    "geheim verstuurd.\nja\n")
    code = CODE.findall(out)[-1]
    rows = await _rows(db_url)
    ref = rows["signal_case"][0][0]
    await with_app(old, f"@tess\ndm\n/hartslag signaal blokkeer {ref} 30\n")
    out = await with_app(f"{new},{old}", f"@joost\ndm\n/hartslag signaal bekijk {code}\n"
                                            "/hartslag signaal\n", rekey=True)
    assert "Onder het oude geheim" in out and "tijdelijk geen signalen" in out
    out = await with_app(new, f"@joost\ndm\n/hartslag signaal bekijk {code}\n")
    assert "Onder het oude geheim" in out  # re-hashed by rekey: the old secret is not needed



async def _rows(db_url: str) -> dict[str, list[tuple[Any, ...]]]:
    db = Database(db_url)
    try:
        return await all_rows(SimpleNamespace(db=db))
    finally:
        await db.dispose()

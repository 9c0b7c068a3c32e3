"""A real Synapse homeserver for the Matrix tests, started once per test run.

Synapse is AGPL: it is installed from PyPI into its own virtual environment in a cache
directory (``~/.cache/hartslag/synapse-venv``, or ``$HARTSLAG_SYNAPSE_VENV``) and run as a
separate process; the product never imports it. The first run installs it (a few minutes);
later runs reuse the environment. Without PyPI the tests skip with the reason.

The version is pinned (``SYNAPSE_PIN``) so a new Synapse release cannot change the suite's
outcome unnoticed; ``$HARTSLAG_SYNAPSE_REQUIREMENT`` (e.g. ``matrix-synapse`` for the newest)
runs it against another one. The environment remembers the requirement it was installed for,
so a changed pin or override reinstalls.

The homeserver writes its own ``homeserver.yaml`` (no ``--generate-config``: each generate
step costs another import of Synapse), listens on a free 127.0.0.1 port with only the client
API, keeps its SQLite database in a temporary directory, has every ``rc_*`` limit lifted and
is killed at teardown and at interpreter exit.
"""

from __future__ import annotations

import atexit
import base64
import contextlib
import ctypes
import fcntl
import hashlib
import hmac
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

SYNAPSE_PIN = "matrix-synapse==1.163.2"
SERVER_NAME = "hartslag.test"
START_TIMEOUT = 60.0
INSTALL_TIMEOUT = 900.0
_LIFTED = {"per_second": 100000, "burst_count": 100000}


def synapse_venv() -> Path:
    override = os.environ.get("HARTSLAG_SYNAPSE_VENV")
    if override:
        return Path(override)
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "hartslag" / "synapse-venv"


def synapse_requirement() -> str:
    """The pip requirement to install: the pin, unless a developer overrides it."""
    return os.environ.get("HARTSLAG_SYNAPSE_REQUIREMENT", "").strip() or SYNAPSE_PIN


def _installed_for(marker: Path, requirement: str) -> bool:
    """The marker holds the requirement of the last successful install."""
    try:
        return marker.read_text().strip() == requirement
    except OSError:
        return False


def _venv_python(venv: Path) -> Path:
    return venv / "bin" / "python"


def ensure_synapse() -> Path:
    """Return the Python of a virtual environment that has Synapse; install it when missing.

    A marker file naming the requirement is written only after a successful install, so an
    interrupted install is repaired on the next run and a changed requirement reinstalls (pip
    moves the existing environment to it). A file lock keeps two test runs from installing at
    once.
    """
    requirement = synapse_requirement()
    venv = synapse_venv()
    marker = venv / ".hartslag-installed"
    python = _venv_python(venv)
    if _installed_for(marker, requirement) and python.exists():
        return python
    venv.parent.mkdir(parents=True, exist_ok=True)
    with open(venv.parent / "synapse-venv.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _installed_for(marker, requirement) and python.exists():
            return python
        marker.unlink(missing_ok=True)
        if not python.exists():
            _run_install_step([sys.executable, "-m", "venv", str(venv)])
        _run_install_step([str(python), "-m", "pip", "install", "--disable-pip-version-check",
                           "-q", "--upgrade", requirement])
        marker.write_text(requirement + "\n")
    return python


def _run_install_step(cmd: list[str]) -> None:
    try:
        done = subprocess.run(
            cmd, capture_output=True, text=True, timeout=INSTALL_TIMEOUT, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        pytest.skip(f"cannot install Synapse for the Matrix tests ({exc})")
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        pytest.skip(
            "cannot install Synapse for the Matrix tests (is PyPI reachable?): "
            + " | ".join(tail)
        )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _signing_key() -> str:
    seed = base64.b64encode(secrets.token_bytes(32)).decode().rstrip("=")
    return f"ed25519 a_{secrets.token_hex(2)} {seed}\n"


def homeserver_yaml(directory: Path, port: int, shared_secret: str) -> dict[str, Any]:
    """The smallest config that starts fast: client API only, SQLite, no federation."""
    return {
        "server_name": SERVER_NAME,
        "public_baseurl": f"http://127.0.0.1:{port}/",
        "pid_file": str(directory / "homeserver.pid"),
        "listeners": [{
            "port": port, "bind_addresses": ["127.0.0.1"], "type": "http", "tls": False,
            "x_forwarded": False, "resources": [{"names": ["client"], "compress": False}],
        }],
        "database": {"name": "sqlite3", "args": {"database": str(directory / "homeserver.db")}},
        "log_config": str(directory / "log.yaml"),
        "media_store_path": str(directory / "media"),
        "signing_key_path": str(directory / "signing.key"),
        "registration_shared_secret": shared_secret,
        "macaroon_secret_key": secrets.token_hex(16),
        "form_secret": secrets.token_hex(16),
        "report_stats": False,
        "bcrypt_rounds": 4,
        "enable_registration": False,
        "federation_domain_whitelist": [],
        "trusted_key_servers": [],
        "suppress_key_server_warning": True,
        "presence": {"enabled": False},
        "url_preview_enabled": False,
        "enable_metrics": False,
        "rc_message": _LIFTED,
        "rc_registration": _LIFTED,
        "rc_login": {"address": _LIFTED, "account": _LIFTED, "failed_attempts": _LIFTED},
        "rc_joins": {"local": _LIFTED, "remote": _LIFTED},
        "rc_joins_per_room": _LIFTED,
        "rc_invites": {"per_room": _LIFTED, "per_user": _LIFTED, "per_issuer": _LIFTED},
        "rc_room_creation": _LIFTED,
        "rc_key_requests": _LIFTED,
        "rc_presence": {"per_user": _LIFTED},
        "rc_profile": _LIFTED,
        "rc_user_directory": _LIFTED,
    }


_LOG_YAML = """\
version: 1
formatters:
  precise:
    format: '%(asctime)s %(name)s %(levelname)s %(message)s'
handlers:
  file:
    class: logging.FileHandler
    formatter: precise
    filename: {path}
root:
  level: WARNING
  handlers: [file]
disable_existing_loggers: false
"""


@dataclass
class MatrixUser:
    """A registered test user with a ready access token and device."""

    user_id: str
    password: str
    access_token: str
    device_id: str


@dataclass
class Synapse:
    """A running homeserver: its URL and the admin helpers the tests need."""

    url: str
    directory: Path
    shared_secret: str
    process: subprocess.Popen[bytes] | None = None
    users: dict[str, MatrixUser] = field(default_factory=dict)

    def request(
        self, method: str, path: str, body: dict[str, Any] | None = None, *, token: str = ""
    ) -> dict[str, Any]:
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.url + path, data=data, method=method)
        req.add_header("Content-Type", "application/json")
        if token:
            req.add_header("Authorization", f"Bearer {token}")
        with urllib.request.urlopen(req, timeout=10) as resp:
            result: dict[str, Any] = json.loads(resp.read() or b"{}")
            return result

    def register(self, localpart: str, *, admin: bool = False) -> MatrixUser:
        """Register through the shared-secret admin API (milliseconds, no captcha, no UIA)."""
        nonce = self.request("GET", "/_synapse/admin/v1/register")["nonce"]
        password = secrets.token_hex(8)
        parts = (nonce, localpart, password, "admin" if admin else "notadmin")
        mac = hmac.new(self.shared_secret.encode(), b"\x00".join(p.encode() for p in parts),
                       hashlib.sha1)
        body = {"nonce": nonce, "username": localpart, "password": password,
                "admin": admin, "mac": mac.hexdigest()}
        answer = self.request("POST", "/_synapse/admin/v1/register", body)
        user = MatrixUser(answer["user_id"], password, answer["access_token"],
                          answer["device_id"])
        self.users[user.user_id] = user
        return user

    def user(self, localpart: str, *, admin: bool = False) -> MatrixUser:
        """A fresh user per call: ``localpart`` plus a random suffix (tests stay independent)."""
        return self.register(f"{localpart}-{secrets.token_hex(3)}", admin=admin)

    def override_ratelimit(self, admin: MatrixUser, user_id: str, per_second: int,
                           burst: int) -> None:
        """The admin API operators use for the bot account (zeros lift the limit)."""
        self.request(
            "POST", f"/_synapse/admin/v1/users/{urllib.parse.quote(user_id)}/override_ratelimit",
            {"messages_per_second": per_second, "burst_count": burst}, token=admin.access_token,
        )

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _die_with_parent() -> None:
    """Linux: SIGTERM the homeserver when the test process dies without running atexit
    (SIGKILL, a crash), so no Synapse is left behind."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def start_synapse(python: Path, directory: Path) -> Synapse:
    import yaml  # the project depends on PyYAML already

    port = _free_port()
    shared_secret = secrets.token_hex(16)
    (directory / "media").mkdir(parents=True, exist_ok=True)
    (directory / "signing.key").write_text(_signing_key())
    (directory / "log.yaml").write_text(_LOG_YAML.format(path=directory / "homeserver.log"))
    config = homeserver_yaml(directory, port, shared_secret)
    (directory / "homeserver.yaml").write_text(yaml.safe_dump(config))
    server = Synapse(f"http://127.0.0.1:{port}", directory, shared_secret)
    out = open(directory / "stdout.log", "wb")  # noqa: SIM115 - owned by the process
    server.process = subprocess.Popen(
        [str(python), "-m", "synapse.app.homeserver", "-c", str(directory / "homeserver.yaml")],
        cwd=directory, stdout=out, stderr=subprocess.STDOUT, preexec_fn=_die_with_parent,
    )
    out.close()
    atexit.register(server.stop)
    _wait_until_up(server)
    return server


def _wait_until_up(server: Synapse) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        assert server.process is not None
        if server.process.poll() is not None:
            log = (server.directory / "stdout.log").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"Synapse exited with {server.process.returncode}:\n{log}")
        with contextlib.suppress(OSError, urllib.error.URLError):
            if "versions" in server.request("GET", "/_matrix/client/versions"):
                return
        time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"Synapse did not answer within {START_TIMEOUT:.0f} s")

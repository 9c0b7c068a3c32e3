"""Node.js tools the suite runs (Microsoft's own Teams tooling ships on the npm registry).

Each tool lives in its own folder under tests/ with a package.json and a package-lock.json
that pin it; ``node_package`` installs it with ``npm ci`` on first use (node_modules is not
committed), so a fresh clone needs nothing but the machine's Node.js and npm.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

NPM_TIMEOUT_S = 300


def node_package(folder: Path) -> Path:
    """Install the pinned packages of ``folder`` if needed; return its node_modules."""
    modules = folder / "node_modules"
    if shutil.which("node") is None or shutil.which("npm") is None:
        raise RuntimeError(
            "Node.js and npm are needed for the Teams conformance tests "
            "(install the distribution's nodejs and npm packages)")
    if not (modules / ".package-lock.json").exists():
        done = subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--prefix", str(folder)],
            capture_output=True, text=True, timeout=NPM_TIMEOUT_S, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"npm ci in {folder} failed:\n{done.stderr[-2000:]}")
    return modules

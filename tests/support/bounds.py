"""The version bounds of the libraries our workarounds reach into (``bots/**/workarounds.py``).

Each workarounds module names, in ``CHECKED``, the version of each library it was checked
on. pyproject.toml must bound each of them below the next minor release after that version,
so raising a bound means updating ``CHECKED`` (and so re-reading the docstrings that name the
version) and running the workaround tests on the new version.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from importlib.metadata import version
from pathlib import Path

from packaging.requirements import Requirement
from packaging.version import Version

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


def requirements() -> dict[str, Requirement]:
    data = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))
    found = [Requirement(line) for line in data["project"]["dependencies"]]
    return {r.name.lower().replace("_", "-"): r for r in found}


def next_minor(checked: str) -> str:
    found = Version(checked)
    return f"{found.major}.{found.minor + 1}"


def bound_problems(checked: Mapping[str, str]) -> list[str]:
    """What is wrong with the bounds of ``checked`` (package -> version); empty when right."""
    declared = requirements()
    problems = []
    for package, tested in checked.items():
        requirement = declared.get(package)
        if requirement is None:
            problems.append(f"{package}: not a dependency in pyproject.toml")
            continue
        uppers = [s.version for s in requirement.specifier if s.operator == "<"]
        if uppers != [next_minor(tested)]:
            problems.append(f"{package}: pyproject.toml should say <{next_minor(tested)} (the "
                            f"workarounds were checked on {tested}), it says {requirement}")
        for what, value in (("checked", tested), ("installed", version(package))):
            if not requirement.specifier.contains(value, prereleases=True):
                problems.append(f"{package}: {what} version {value} is outside {requirement}")
    return problems

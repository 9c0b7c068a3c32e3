"""APScheduler stays inside scheduling/ (issue 21): features, storage and adapters speak
``commands.schedule.Trigger``; only the engine turns that into a timer.

Checked on the source's syntax tree, so a mention in a comment, a docstring or a logger name
("apscheduler" in bots/logs.py) is fine, while any import is caught: top-level, inside a
function, or through importlib/__import__ with a literal name.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONFINED = "apscheduler"
OUTSIDE = ("commands", "storage", "bots")
_DYNAMIC = {"import_module", "__import__"}


def imports_of(path: Path) -> list[tuple[int, str]]:
    """(line, module) for every import in ``path``, dynamic ones with a literal name too."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Call) and _called_name(node.func) in _DYNAMIC and node.args:
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.append((node.lineno, first.value))
    return sorted(found)  # ast.walk goes breadth-first; report in line order


def _called_name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else None


def confined_imports(packages: tuple[str, ...]) -> list[str]:
    hits = []
    for package in packages:
        for path in sorted((ROOT / package).rglob("*.py")):
            hits += [f"{path.relative_to(ROOT)}:{line} imports {module}"
                     for line, module in imports_of(path)
                     if module.split(".")[0] == CONFINED]
    return hits


def test_apscheduler_is_imported_only_under_scheduling() -> None:
    assert confined_imports(OUTSIDE) == []


def test_the_engine_is_where_apscheduler_lives() -> None:
    """The walk sees real imports: the engine's timer is found (else the test above is blind)."""
    assert any(hit.startswith("scheduling/engine.py:") for hit in confined_imports(("scheduling",)))


def test_every_import_form_is_caught(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        '"""apscheduler in a docstring is fine."""\n'
        "import apscheduler\n"
        "from apscheduler.triggers.cron import CronTrigger\n"
        "def late():\n"
        "    from apscheduler.triggers import date\n"
        "    import importlib\n"
        "    return importlib.import_module('apscheduler.triggers.interval')\n"
        "log = __import__('apscheduler')\n"
        "noisy = ('apscheduler', 'httpx')  # a logger name, not an import\n"
    )
    assert [m for _, m in imports_of(sample) if m.startswith(CONFINED)] == [
        "apscheduler", "apscheduler.triggers.cron", "apscheduler.triggers",
        "apscheduler.triggers.interval", "apscheduler",
    ]

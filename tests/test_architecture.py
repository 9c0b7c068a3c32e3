"""The import rules of ARCHITECTURE.md section 1, checked by walking every module's imports."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SDKS = ("slack_bolt", "slack_sdk", "nio", "microsoft_teams", "botbuilder", "aiohttp", "uvicorn",
        "starlette", "fastapi")
RULES: dict[str, tuple[str, ...]] = {
    "commands": ("bots", "scheduling", *SDKS),
    "storage": ("bots", "scheduling", *SDKS),
    "scheduling": ("bots", *SDKS),
}
# storage may use the value objects of commands, never its handlers or features: the core
# value modules and, per feature, a module named for values (entry, model, values).
STORAGE_MAY_IMPORT_FROM_COMMANDS = ("commands.model", "commands.schedule", "commands.delivery",
                                    "commands.clock", "commands.i18n")
VALUE_MODULE_NAMES = ("entry", "model", "values")
# The schema takes the features' tables from their manifests (commands/feature.py); the
# list of manifests imports no handler (tests/test_manifest.py checks it).
STORAGE_MODULES_MAY_IMPORT = {"storage/schema.py": ("commands.features", "commands.feature")}


def storage_may_import(module: str) -> bool:
    parts = module.split(".")
    return module.startswith(STORAGE_MAY_IMPORT_FROM_COMMANDS) or (
        len(parts) == 3 and parts[2] in VALUE_MODULE_NAMES
    )


def imported_modules(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return found


def violations() -> list[str]:
    problems = []
    for package, banned in RULES.items():
        for path in sorted((ROOT / package).rglob("*.py")):
            for line, module in imported_modules(path):
                top = module.split(".")[0]
                where = f"{path.relative_to(ROOT)}:{line} imports {module}"
                allowed = STORAGE_MODULES_MAY_IMPORT.get(str(path.relative_to(ROOT)), ())
                if top in banned or (package == "storage" and top == "commands"
                                     and not storage_may_import(module) and module not in allowed):
                    problems.append(where)
    return problems


def test_import_rules_hold() -> None:
    assert violations() == []


def test_value_modules_hold_only_values() -> None:
    """A feature value module that storage imports must not pull in handlers or storage."""
    for path in sorted((ROOT / "commands").rglob("*.py")):
        if path.stem not in VALUE_MODULE_NAMES or path.parent.name == "commands":
            continue
        for line, module in imported_modules(path):
            assert not module.startswith(("storage", "commands.router", "commands.context")), (
                f"{path.relative_to(ROOT)}:{line} imports {module}"
            )


def test_the_checker_sees_a_violation(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("import slack_sdk\nfrom nio import AsyncClient\nfrom . import sibling\n")
    assert [m for _, m in imported_modules(bad)] == ["slack_sdk", "nio"]

"""``hartslag privacy report [--json]``: what is stored, per kind of data, with its retention
as configured (input for a DPIA and the works council); ``hartslag privacy purge`` runs the
retention purge now."""

from __future__ import annotations

import argparse
import json
import re
from typing import Any

from bots.config import Config
from commands.features import FEATURES
from commands.privacy.inventory import inventory

_SETTING = re.compile(r"\b([a-z]+)\.([a-z_]+)\b")


def add_parser(subparsers: Any) -> None:
    privacy = subparsers.add_parser("privacy", help="what is stored and for how long")
    sub = privacy.add_subparsers(dest="privacy_command", required=True)
    report = sub.add_parser("report", help="every kind of data with its retention")
    report.add_argument("--json", action="store_true", help="JSON instead of Markdown")
    report.set_defaults(func=run_report)
    sub.add_parser("purge", help="delete what has outlived its retention, now").set_defaults(
        func=run_purge)


def retention_text(config: Config, retention: str) -> str:
    """Every ``section.key`` in ``retention`` with its configured value:
    ``"delivery.retention_days"`` -> ``"30 days (delivery.retention_days)"``."""

    def value(match: re.Match[str]) -> str:
        section, key = match.group(1), match.group(2)
        found = getattr(getattr(config, section, None), key, None)
        if found is None:
            return match.group(0)
        unit = "months" if key.endswith("months") else "days" if key.endswith("days") else ""
        return f"{found} {unit} ({section}.{key})".replace("  ", " ")

    return _SETTING.sub(value, retention)


def build_report(config: Config) -> list[dict[str, str]]:
    return [{"kind": k.kind, "tables": ", ".join(k.tables), "holds": k.holds,
             "people": k.people, "retention": retention_text(config, k.retention)}
            for k in inventory(FEATURES)]


def run_report(args: argparse.Namespace, config: Config) -> int:
    rows = build_report(config)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    print("| kind | tables | what | people | kept |\n|---|---|---|---|---|")
    for row in rows:
        print(f"| {row['kind']} | {row['tables']} | {row['holds']} | {row['people']} | "
              f"{row['retention']} |")
    return 0


async def run_purge(args: argparse.Namespace, config: Config) -> int:
    from bots.app import open_core
    from commands.privacy import purge

    async with open_core(config) as app:
        await purge({}, app.context())
    print("privacy: purge done")
    return 0

"""``hartslag signals export|purge|keygen|rekey``: records and key care for anonymous signals.

- ``export [--out FILE]``: what is stored, as JSON, for an open-government (Woo) request or a
  DPIA. Sealed relay mappings and keyed hashes are counted, not exported.
- ``purge [--dry-run]``: the retention purge the daily job runs, now.
- ``keygen``: a fresh key for ``HARTSLAG_SIGNALS_RELAY_KEY`` or ``HARTSLAG_SIGNALS_HMAC_SECRET``.
- ``rekey``: after putting new keys in front (``new,old``), re-seal every relay mapping with the
  new relay key and re-hash the codes of answerable cases with the new HMAC secret; then the old
  relay key can be removed (keep an old HMAC secret while old blocks or reply-less codes matter).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from bots.cli_files import write_output
from bots.config import Config
from commands.errors import UserError


def add_parser(subparsers: Any) -> None:
    signals = subparsers.add_parser("signals", help="anonymous signals: export, purge, keys")
    sub = signals.add_subparsers(dest="signals_command", required=True)
    export = sub.add_parser("export", help="write what is stored as JSON (Woo request, DPIA)")
    export.add_argument("--out", type=Path, default=None, help="file to write (default: stdout)")
    export.set_defaults(func=run_export)
    purge = sub.add_parser("purge", help="delete what is past its retention, now")
    purge.add_argument("--dry-run", action="store_true",
                       help="only say how much the export holds; delete nothing")
    purge.set_defaults(func=run_purge)
    sub.add_parser("keygen", help="print a new random key (relay key or HMAC secret)") \
        .set_defaults(func=run_keygen)
    sub.add_parser("rekey", help="re-seal relay mappings and re-hash codes with the first keys") \
        .set_defaults(func=run_rekey)


async def run_export(args: argparse.Namespace, config: Config) -> int:
    from bots.app import open_core
    from commands.signals.export import export_signals

    async with open_core(config) as app:
        data = await export_signals(app.context())
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    return write_output(text, args.out, done=f"{len(data['cases'])} case(s) written to {args.out}")


async def run_purge(args: argparse.Namespace, config: Config) -> int:
    from bots.app import open_core
    from commands.signals.jobs import purge
    from storage.signals import SignalRepository

    async with open_core(config) as app:
        if args.dry_run:
            counts = await app.store.repo(SignalRepository).table_counts()
            print(json.dumps({"dry_run": True, "rows": counts}))
            return 0
        result = await purge(app.context())
    print(json.dumps({"cases": result.cases, "relays": result.relays, "rates": result.rates,
                      "blocks": result.blocks}))
    return 0


def run_keygen(args: argparse.Namespace, config: Config) -> int:
    from commands.signals.keys import new_key

    print(new_key())
    return 0


async def run_rekey(args: argparse.Namespace, config: Config) -> int:
    from bots.app import open_core
    from commands.signals.service import reseal_relays

    async with open_core(config) as app:
        try:
            done, unreadable = await reseal_relays(app.context())
        except UserError as exc:
            print(f"hartslag: {exc.message}", file=sys.stderr)
            return 2
    print(json.dumps({"resealed": done, "unreadable": unreadable}))
    return 0 if unreadable == 0 else 1

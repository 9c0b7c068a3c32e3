"""The ``hartslag`` command: run, chat, db, and the features' own subcommands.

Every problem an operator can cause (config, schema) ends in one line on stderr and exit
code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import importlib
import os
import signal
import sys
from collections.abc import Callable, Coroutine, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bots.config import Config, ConfigError, load_config
from bots.logs import setup_logging
from commands.feature import Feature
from commands.features import FEATURES
from storage.migrate import SchemaError

EXIT_USAGE = 2


def feature_clis(features: Sequence[Feature] = FEATURES) -> tuple[str, ...]:
    """The features' CLI modules (``Feature.cli``): each has ``add_parser(subparsers)``, and
    each parser it adds sets ``func(args, config)``."""
    return tuple(module for feature in features for module in feature.cli)


def build_parser(features: Sequence[Feature] = FEATURES) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hartslag", description=__doc__)
    parser.add_argument("--config", type=Path, default=None,
                        help="TOML file (default: $HARTSLAG_CONFIG, else embedded demo defaults)")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="serve every enabled platform, the scheduler and HTTP")
    run.set_defaults(func=_run)
    chat = sub.add_parser("chat", help="the local chat in this terminal, or from a script on stdin")
    chat.add_argument("--as", dest="user", default="anna", help="who you are at the start")
    chat.add_argument("--in", dest="place", default="#algemeen", help="where you are at the start")
    chat.add_argument("--start", default=None,
                      help="ISO time the clock starts at (default: now); scripts use a fake clock")
    chat.add_argument("--db", default=None,
                      help="database file or URL to keep (default: a fresh demo database in "
                           "$XDG_STATE_HOME/hartslag, never the server's [storage] database)")
    chat.add_argument("--verbose", action="store_true",
                      help="show every log line on stderr (default: warnings; all go to the "
                           "log file next to the database)")
    chat.set_defaults(func=_chat)
    db = sub.add_parser("db", help="database schema")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("upgrade", help="migrate to the newest schema").set_defaults(func=_db_upgrade)
    db_sub.add_parser("status", help="show the schema state").set_defaults(func=_db_status)
    sub.add_parser("reference", help="print the command reference (Markdown) generated from "
                                      "the declared command tree").set_defaults(func=_reference)
    for module in feature_clis(features):
        importlib.import_module(module).add_parser(sub)
    return parser


def _reference(args: argparse.Namespace, config: Config) -> int:
    """docs/reference/commands.md: ``hartslag reference > docs/reference/commands.md``."""
    from commands.messages import CORE
    from commands.router import Router
    from commands.tree import reference

    router = Router()
    for feature in FEATURES:
        feature.register(router)
    print(reference(router.trees, lambda role: CORE.get("en", f"role.{role}")))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # The embedded demo: no --config and no HARTSLAG_CONFIG.
    args.demo = args.config is None and not os.environ.get("HARTSLAG_CONFIG")
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        print(f"hartslag: {exc}", file=sys.stderr)
        return EXIT_USAGE
    setup_logging(config.logging.level, fmt=config.logging.format)
    func: Callable[[argparse.Namespace, Config], Any] = args.func
    try:
        result = func(args, config)
        if asyncio.iscoroutine(result):
            result = _run_loop(result)
    except (SchemaError, ConfigError) as exc:
        print(f"hartslag: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    return int(result or 0)


def _run_loop(coroutine: Coroutine[Any, Any, Any]) -> Any:
    """uvloop when it is installed (measured: less CPU per request on the vote path), else the
    standard loop."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coroutine)
    return uvloop.run(coroutine)


async def _db_upgrade(args: argparse.Namespace, config: Config) -> int:
    from storage.db import Database
    from storage.migrate import upgrade

    db = Database(config.storage.url)
    try:
        await upgrade(db)
    finally:
        await db.dispose()
    print("database schema is up to date")
    return 0


async def _db_status(args: argparse.Namespace, config: Config) -> int:
    from storage.db import Database
    from storage.migrate import state

    db = Database(config.storage.url)
    try:
        print(f"database schema: {(await state(db)).value}")
    finally:
        await db.dispose()
    return 0


async def _run(args: argparse.Namespace, config: Config) -> int:
    from bots.app import App
    from bots.workers import WorkerEnv, watch_parent, worker_argv

    worker = WorkerEnv.from_environ()
    app = App(config, worker=worker,
              worker_command=worker_argv(str(args.config) if args.config else None))
    await app.start()
    if args.demo and worker is None:
        from bots.demo import seed

        await seed(app.context())
    _freeze_startup_objects()
    if worker is not None:
        worker.report_ready()  # the primary says it runs once every worker did
    else:
        extra = f" and {config.server.workers} HTTP workers" if config.server.workers else ""
        print(f"hartslag runs on http://{config.server.host}:"
              f"{app.public_port or '-'} with "
              f"{', '.join(a.platform for a in app.adapters) or 'no chat platform'}{extra}",
              file=sys.stderr)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    watcher = asyncio.create_task(watch_parent(stop, worker.primary_pid)) \
        if worker is not None else None
    try:
        await stop.wait()
    finally:
        if watcher is not None:
            watcher.cancel()
        await app.stop()
    return 0


def _freeze_startup_objects() -> None:
    """Move everything built at start-up (modules, SDK clients, the knowledge index) out of
    the garbage collector's view. Without it every full collection walked them all: 50-230 ms
    pauses of the event loop, several a minute under a vote burst, which was the p99 ack
    (benchmarks/votes.py). Nothing here is freed later anyway."""
    gc.collect()
    gc.freeze()


async def _chat(args: argparse.Namespace, config: Config) -> int:
    from bots.chat import run_chat

    start = _parse_start(args.start)
    return await run_chat(config, user=args.user, place=args.place, start=start,
                          interactive=sys.stdin.isatty(), demo=args.demo, db=args.db,
                          verbose=args.verbose)


def _parse_start(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"--start: {value!r} is not an ISO time like 2026-11-23T09:00") from None
    if parsed.tzinfo is None:
        from zoneinfo import ZoneInfo

        parsed = parsed.replace(tzinfo=ZoneInfo("Europe/Amsterdam"))
    return parsed.astimezone(UTC)


if __name__ == "__main__":
    raise SystemExit(main())

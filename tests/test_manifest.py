"""The feature manifest (issue 21): every feature's settings section, tables, privacy entries
and CLI come from its manifest, the list in commands/features.py is the only place the
features are named in bots/ and storage/, and a toy feature declared here gets its command,
settings section, table, privacy entry and CLI without a shared file changing."""

from __future__ import annotations

import argparse
import ast
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from alembic.script import ScriptDirectory
from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel, select

from bots.app import App
from bots.cli import build_parser, feature_clis
from bots.config import Config, ConfigError, CoreConfig, config_model, parse_config
from commands.clock import FakeClock
from commands.context import Context
from commands.feature import DataKind, Feature
from commands.features import FEATURES
from commands.grammar import Args
from commands.model import Address, CommandRequest, Reply, UserRef
from commands.privacy.inventory import PLATFORM, inventory
from commands.router import Router
from commands.tree import Command, Param, Sub, T, Words
from storage.migrate import MIGRATIONS, alembic_config, branch_directory
from storage.schema import PLATFORM_BRANCHES, feature_tables, metadata, migration_branches
from tests.conftest import START

ROOT = Path(__file__).resolve().parents[1]
# The platform's own tables: core (preferences, roles, inbound events), scheduling and the
# outbox, and the Teams adapter's conversation references.
PLATFORM_TABLES = {"preference", "role_grant", "processed_event", "schedule", "schedule_run",
                   "scheduler_lease", "outbox", "outbox_batch", "outbox_message",
                   "installation", "delivery_budget", "teams_conversation", "teams_user",
                   "teams_sent"}
FEATURE_PACKAGES = {p.parent.name for p in (ROOT / "commands").glob("*/manifest.py")}
# bots/ modules that name features without being wiring: the demo tells one story across the
# features (issue 20) through their own code. Everything else in bots/ and storage/ that
# names a feature must be claimed by a feature's manifest (its CLI, tables, endpoint).
NOT_WIRING = {"bots/demo/__init__.py": "the demo's story", "bots/demo/history.py": "its past"}


def test_the_list_holds_every_feature_package_once_and_in_help_order() -> None:
    names = [feature.name for feature in FEATURES]
    assert len(names) == len(set(names))
    assert set(names) == FEATURE_PACKAGES
    assert names[0] == "core" and names[-1] == "wheres"  # wheres takes every DM left


def test_every_settings_section_comes_from_a_manifest() -> None:
    sections = {f.section_name: f.settings for f in FEATURES if f.settings is not None}
    fields = Config.model_fields
    assert set(fields) == set(CoreConfig.model_fields) | set(sections)
    for name, model in sections.items():
        assert fields[name].annotation is model, name
    config = parse_config({}, env={"HARTSLAG_HOOKS_TIMEZONE": "UTC"})
    assert config.hooks.timezone == "UTC"  # the section name a manifest gave (notices: hooks)


def test_a_section_name_used_twice_is_refused() -> None:
    twice = Feature("twice", register=lambda router: None, settings=BaseModel, section="pulse")
    with pytest.raises(ValueError, match=r"section \[pulse\] is taken"):
        config_model((*FEATURES, twice))
    with pytest.raises(ValueError, match=r"section \[storage\] is taken"):
        config_model((Feature("own", register=lambda r: None, settings=BaseModel,
                              section="storage"),))


def test_every_table_comes_from_a_manifest_or_is_the_platforms() -> None:
    declared = [t.name for t in feature_tables()]
    assert len(declared) == len(set(declared)), "a table in two manifests"
    assert set(declared).isdisjoint(PLATFORM_TABLES)
    assert set(metadata.tables) == set(declared) | PLATFORM_TABLES


def _created_by_branch(script: ScriptDirectory, branch: str) -> set[str]:
    """Tables the migrations of one Alembic branch create, read from their source."""
    created: set[str] = set()
    for revision in script.iterate_revisions(f"{branch}@head", "0001_core"):
        if revision.revision == "0001_core":
            continue
        source = Path(str(revision.path)).read_text(encoding="utf-8")
        created |= set(re.findall(r"create_table\(\s*'(\w+)'", source))
    return created


def test_every_manifest_names_the_migration_branch_that_creates_its_tables() -> None:
    script = ScriptDirectory.from_config(alembic_config())
    labels = {label for rev in script.walk_revisions() for label in rev.branch_labels}
    for feature in FEATURES:
        if not feature.tables:
            assert not feature.migrations, feature.name
            continue
        assert feature.migrations in labels, f"{feature.name}: no branch {feature.migrations}"
        missing = set(feature.table_names) - _created_by_branch(script, feature.migrations)
        assert not missing, f"{feature.name}: {missing} not created by {feature.migrations}"


def _branch_of(script: ScriptDirectory, revision: str) -> str:
    """The branch a revision belongs to: the label of the nearest labelled revision at or
    below it (each branch's first migration carries it); 0001_core's is core."""
    for below in script.iterate_revisions(revision, "base"):
        if below.branch_labels:
            (label,) = below.branch_labels
            return label
    return "core"


def test_every_migration_file_sits_in_the_directory_of_its_branch() -> None:
    """Issue 21: a branch's migrations are together in the directory a manifest (or the
    platform) names, and Alembic loads every file there is, none from elsewhere."""
    script = ScriptDirectory.from_config(alembic_config())
    branches = migration_branches()
    assert branches[:len(PLATFORM_BRANCHES)] == PLATFORM_BRANCHES
    assert len(branches) == len(set(branches))  # org and pulse share one
    assert migration_branches((*FEATURES, TOY))[-1] == "toy"  # a new manifest adds its own
    loaded = set()
    for revision in script.walk_revisions():
        branch = _branch_of(script, revision.revision)
        assert branch in migration_branches(), f"{revision.revision}: branch {branch} undeclared"
        path = Path(str(revision.path)).resolve()
        assert path.parent == branch_directory(branch).resolve(), (
            f"{revision.revision} is in {path.parent.name}/, its branch is {branch}")
        loaded.add(path)
    on_disk = {p.resolve() for p in (MIGRATIONS / "versions").rglob("*.py")}
    assert on_disk == loaded, "a migration file Alembic does not load (no manifest names it)"
    for branch in migration_branches():
        assert any(branch_directory(branch).glob("*.py")), f"{branch}: no migrations"


def test_every_privacy_entry_comes_from_a_manifest() -> None:
    assert inventory(FEATURES) == (*(kind for f in FEATURES for kind in f.privacy), *PLATFORM)
    for feature in FEATURES:  # a feature documents its own tables, not another's
        listed = {table for kind in feature.privacy for table in kind.tables}
        assert listed == set(feature.table_names), feature.name
    platform = {table for kind in PLATFORM for table in kind.tables}
    assert platform == PLATFORM_TABLES


def _subcommands(parser: argparse.ArgumentParser) -> set[str]:
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return set(action.choices)


def test_every_cli_subcommand_comes_from_a_manifest() -> None:
    assert feature_clis() == tuple(module for f in FEATURES for module in f.cli)
    core = _subcommands(build_parser(()))
    assert core == {"run", "chat", "db", "reference"}
    added = _subcommands(build_parser()) - core
    assert added == {"announce", "signals", "pulse", "faq", "people", "privacy"}


def _members(protocol: type) -> set[str]:
    return {name for name in vars(protocol) if not name.startswith("_")}


def test_every_declared_port_extra_is_a_protocol_some_adapter_implements() -> None:
    from bots.local.port import LocalPort
    from bots.matrix.port import MatrixPort
    from bots.slack.port import SlackPort
    from bots.teams.port import TeamsPort

    ports = (LocalPort, SlackPort, TeamsPort, MatrixPort)
    declared = {extra for feature in FEATURES for extra in feature.ports}
    assert declared, "no feature declares a port extra"
    for extra in declared:
        assert getattr(extra, "_is_protocol", False), f"{extra.__name__} is not a Protocol"
        members = _members(extra)
        assert members, extra.__name__
        assert any(members <= set(dir(port)) for port in ports), (
            f"{extra.__name__}: no adapter port has {sorted(members)}")


def _named_features(path: Path) -> set[str]:
    """The feature packages a module imports (``commands.<feature>...``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
            [node.module] if isinstance(node, ast.ImportFrom) and node.module else [])
        for name in names:
            parts = name.split(".")
            if parts[0] == "commands" and len(parts) > 1 and parts[1] in FEATURE_PACKAGES:
                found.add(parts[1])
    return found


def _claimed_by(feature: Feature) -> set[str]:
    """The modules outside its package a manifest declares as the feature's own."""
    modules = {*feature.cli, *(table.__module__ for table in feature.tables)}
    if feature.inbound is not None:
        modules |= {feature.inbound.routes.partition(":")[0],
                    feature.inbound.problems.partition(":")[0]}
    return {module.replace(".", "/") + ".py" for module in modules}


def test_the_list_is_the_only_place_bots_and_storage_name_a_feature() -> None:
    owners: dict[str, set[str]] = {}
    for feature in FEATURES:
        for path in _claimed_by(feature):
            owners.setdefault(path, set()).add(feature.name)
    problems = []
    for package in ("bots", "storage"):
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = str(path.relative_to(ROOT))
            if relative in NOT_WIRING or relative in owners:
                continue  # a feature's own module may use other features, as its package may
            named = _named_features(path)
            if named:
                problems.append(f"{relative} names {sorted(named)}")
    assert problems == []
    manifests = [str(p.relative_to(ROOT)) for p in (ROOT / "commands").rglob("*.py")
                 if any(m.endswith(".manifest") for m in _imports(p))]
    assert manifests == ["commands/features.py"]


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module]


def test_the_checker_sees_a_feature_named(tmp_path: Path) -> None:
    module = tmp_path / "wiring.py"
    module.write_text("import commands.pulse\nfrom commands.wheres.embedder import problems\n"
                      "from commands.model import Reply\n")
    assert _named_features(module) == {"pulse", "wheres"}


def test_the_shared_files_name_no_feature() -> None:
    for shared in ("bots/app.py", "bots/config.py", "bots/cli.py", "bots/local/world.py",
                   "storage/schema.py"):
        assert _named_features(ROOT / shared) == set(), shared


def test_importing_the_manifests_loads_no_handler() -> None:
    """storage/schema.py imports every manifest for its tables: they must stay declarations
    (a manifest that imported its handlers would load them all at start, and storage would
    import features)."""
    code = ("import sys, commands.features\n"
            "print(' '.join(m for m in sys.modules if m.startswith('commands.')))")
    loaded = set(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                check=True, cwd=ROOT, timeout=120).stdout.split())
    handlers = {"commands.router", "commands.announcements.interactions",
                "commands.pulse.buttons", "commands.pulse.guide", "commands.signals.send",
                "commands.verbinden.command", "commands.wheres.ask", "commands.wheres.admin",
                "commands.core.help", "commands.notices.command"}
    assert loaded & handlers == set()


# -- a toy feature, declared only here --------------------------------------------------
class ToySettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    greeting: str = "hoi"
    times: int = 1


# Its own registry: the shared metadata (migrations, the schema test) must not see it.
class _ToyBase(SQLModel, registry=registry()):
    pass


class ToyRow(_ToyBase, table=True):
    __tablename__ = "toy_row"
    id: int | None = Field(default=None, primary_key=True)
    word: str


async def _toy(request: CommandRequest, ctx: Context, args: Args) -> Reply:
    settings = ctx.settings.get(ToySettings)
    async with ctx.store.db.session() as session:
        session.add(ToyRow(word=args.words[0]))
    async with ctx.store.db.session(readonly=True) as session:
        count = len((await session.exec(select(ToyRow))).all())
    return Reply.text(f"{settings.greeting} {args.words[0]} ({count})")


TOY_COMMAND = Command(
    Words("toy", "speeltje"), T("een speeltje", "a toy"),
    root=Sub(Words("", ""), T("bewaar een woord", "keep a word"), _toy,
             params=(Param(Words("word", "woord"), required=True),),
             example=T("speeltje hallo", "toy hello")))


def _register_toy(router: Router) -> None:
    router.tree(TOY_COMMAND)


def add_parser(subparsers: Any) -> None:
    """The toy's CLI (``Feature.cli`` names this module)."""
    subparsers.add_parser("toy", help="the toy feature")


TOY = Feature(
    name="toy", register=_register_toy, settings=ToySettings, tables=(ToyRow,),
    migrations="toy",
    privacy=(DataKind("Toy words", ("toy_row",), "words typed to the toy", "none",
                      "until the test ends"),),
    cli=(__name__,),
)


async def test_a_toy_feature_gets_its_command_section_table_privacy_and_cli(
        db_url: str, tmp_path: Path) -> None:
    features = (*FEATURES, TOY)
    config = parse_config({"storage": {"url": db_url}, "toy": {"greeting": "dag"},
                           "local": {"files_dir": str(tmp_path / "files")}},
                          env={"HARTSLAG_TOY_TIMES": "3"}, features=features)
    assert config.section(ToySettings) == ToySettings(greeting="dag", times=3)
    with pytest.raises(ConfigError, match=r"^toy\.greting: unknown key"):
        parse_config({"toy": {"greting": "dag"}}, env={}, features=features)
    with pytest.raises(ConfigError, match=r"^toy: unknown key"):  # without the manifest
        parse_config({"toy": {"greeting": "dag"}}, env={})

    app = App(config, clock=FakeClock(START), adapters=[], features=features)
    await app.open_storage()
    try:
        async with app.db.engine.begin() as conn:  # its migration branch, in a real feature
            await conn.run_sync(lambda sync: [t.create(sync) for t in feature_tables((TOY,))])
        anna = UserRef("local", "anna", "anna")
        here = Address("local", "local", "#algemeen")
        first = await app.handle(CommandRequest(anna, here, "speeltje", "hallo"))
        second = await app.handle(CommandRequest(anna, here, "toy", "hello", locale="en"))
        assert first is not None and first.message is not None
        assert first.message.markdown == "dag hallo (1)"
        assert second is not None and second.message is not None
        assert second.message.markdown == "dag hello (2)"
    finally:
        await app.db.dispose()

    assert [t.name for t in feature_tables(features)][-1] == "toy_row"
    assert "toy_row" not in metadata.tables
    assert inventory(features)[len(inventory(FEATURES)) - len(PLATFORM)].tables == ("toy_row",)
    assert "toy" in _subcommands(build_parser(features))
    assert "toy" not in _subcommands(build_parser())
    assert "toy" not in Config.model_fields


def test_a_manifest_refuses_what_cannot_work() -> None:
    with pytest.raises(ValueError, match="lower case"):
        Feature("Toy", register=_register_toy)
    with pytest.raises(ValueError, match="settings model"):
        Feature("toy", register=_register_toy, section="toy")
    with pytest.raises(ValueError, match="people must be one of"):
        Feature("toy", register=_register_toy,
                privacy=(DataKind("Toy", ("toy_row",), "words", "everyone", "forever"),))


async def test_warm_ups_run_before_serving_and_a_failing_one_does_not_stop_the_start(
        db_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """``Feature.warm`` (the pulse vote's tree and rounds): run once before the HTTP server
    takes requests; one that fails is logged by type only and the process serves anyway."""
    seen: list[bool] = []
    app: App | None = None

    async def ready(ctx: Context) -> None:
        assert app is not None
        seen.append(app.server is None)  # not serving yet

    async def broken(ctx: Context) -> None:
        raise RuntimeError("geheim: een zin uit een vraag")

    features = (*FEATURES,
                Feature(name="warmed", register=lambda router: None, warm=ready),
                Feature(name="cold", register=lambda router: None, warm=broken))
    config = parse_config({"storage": {"url": db_url}, "server": {"port": 0},
                           "local": {"files_dir": str(tmp_path / "files")}},
                          env={}, features=features)
    app = App(config, clock=FakeClock(START), adapters=[], features=features)
    await app.start(scheduler_timer=False)
    try:
        assert seen == [True]
        assert app.server is not None
        failed = [r for r in caplog.records if r.getMessage() == "warm-up failed"]
        assert [getattr(r, "feature", None) for r in failed] == ["cold"]
        assert "geheim" not in caplog.text and "RuntimeError" in str(failed[0].__dict__)
    finally:
        await app.stop()

"""The documentation builds, its links resolve and its examples run (issue 20).

``mkdocs build --strict`` turns every broken link, missing anchor and page left out of the
navigation into a failure, so the docs cannot rot without the suite noticing.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

from tests.test_readme import run_chat, tour_script

ROOT = Path(__file__).resolve().parents[1]
# A strict build of every page takes about a second; the bound is for a machine under load.
BUILD_TIMEOUT = 120
# Files outside docs/ that the pages link to, needed by a copy of the docs.
LINKED_FROM_DOCS = ("README.md", "SECURITY.md", "config.example.toml")


def build(config: Path, site: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file", str(config),
         "--site-dir", str(site)],
        cwd=config.parent, capture_output=True, text=True, timeout=BUILD_TIMEOUT, check=False)


def test_the_docs_build_strict(tmp_path: Path) -> None:
    done = build(ROOT / "mkdocs.yml", tmp_path / "site")
    assert done.returncode == 0, done.stderr[-4000:]
    for page in ("employee", "comms", "manager", "triage", "operator/security", "developer/tests"):
        assert (tmp_path / "site" / page / "index.html").is_file(), page
    # SECURITY.md lives outside docs/; the hook copies it in and points the link there.
    security = (tmp_path / "site" / "operator" / "security" / "index.html").read_text()
    assert 'href="../../repo/SECURITY/"' in security
    assert (tmp_path / "site" / "repo" / "SECURITY" / "index.html").is_file()


def test_a_broken_link_fails_the_build(tmp_path: Path) -> None:
    """The strict build really refuses broken links, inside docs/ and outside it."""
    shutil.copy(ROOT / "mkdocs.yml", tmp_path)
    shutil.copytree(ROOT / "docs", tmp_path / "docs")
    for name in LINKED_FROM_DOCS:
        shutil.copy(ROOT / name, tmp_path)
    page = tmp_path / "docs" / "employee.md"
    page.write_text(page.read_text(encoding="utf-8")
                    + "\n[gone](../NOT-THERE.md) [moved](no-such-page.md)\n", encoding="utf-8")
    done = build(tmp_path / "mkdocs.yml", tmp_path / "site")
    assert done.returncode != 0
    assert "NOT-THERE.md" in done.stderr and "no-such-page.md" in done.stderr


def relative_links(markdown: str) -> list[str]:
    """Link targets in prose (not in fenced code) that are paths, without their #anchor."""
    prose = re.sub(r"^```.*?^```", "", markdown, flags=re.DOTALL | re.MULTILINE)
    targets = re.findall(r"\]\(([^)\s]+)\)", prose)
    return [target.split("#", 1)[0] for target in targets
            if not re.match(r"^([a-z][a-z0-9+.-]*:|#)", target)]


def test_every_relative_link_in_the_readme_resolves() -> None:
    links = relative_links((ROOT / "README.md").read_text(encoding="utf-8"))
    assert len(links) >= 10  # the map of the docs
    missing = [link for link in links if not (ROOT / link).exists()]
    assert not missing, f"README links to files that do not exist: {missing}"


def test_the_employee_guide_script_runs(tmp_path: Path) -> None:
    """docs/employee.md's "Try it yourself": a question, an anonymous signal, the inbox."""
    guide = (ROOT / "docs" / "employee.md").read_text(encoding="utf-8")
    transcript = run_chat(tour_script(guide, marker="signaal inbox"), tmp_path)
    asked, rest = transcript.split("joost: /hartslag signaal\n", 1)
    assert "personeelsportaal" in asked.split("joost: waar vind ik mijn loonstrook", 1)[1]
    sent, inbox = rest.split("tess: /hartslag signaal inbox", 1)
    confirmed = sent.rsplit("joost: ja\n", 1)[1]
    assert re.search(r"`[A-Z0-9]{5}-[A-Z0-9]{5}`", confirmed), confirmed
    assert re.search(r"`S-[A-Z0-9]{6}`", inbox), inbox
    assert "De printer op de tweede verdieping is al weken stuk." in inbox
    assert "joost" not in inbox

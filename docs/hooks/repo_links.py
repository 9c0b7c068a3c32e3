"""MkDocs hook: links from the docs to files of the repository outside ``docs/``.

The pages link to ``SECURITY.md``, ``config.example.toml`` or the README with relative paths
that work where people read the repository (``../../SECURITY.md``). MkDocs knows only the
files under ``docs/`` and, in strict mode, fails on such a link. This hook copies every
repository file that a page links to into the site under ``repo/`` (a ``.md`` file becomes a
page, anything else a static file) and points the link there, so the same Markdown works in
both places. A link to a file that does not exist is left alone, so MkDocs still reports it
and ``mkdocs build --strict`` fails: links cannot rot.

Registered in ``mkdocs.yml`` under ``hooks:``; it uses only MkDocs itself (no network).
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page

PREFIX = "repo"
# An inline Markdown link or image target: ](target) or ](target "title").
LINK = re.compile(r"(\]\()([^)\s]+)((?:\s+\"[^\"]*\")?\))")
FENCE = re.compile(r"^[ \t]*(```|~~~)", re.MULTILINE)


def _root(config: MkDocsConfig) -> Path:
    return Path(config.config_file_path).resolve().parent


def _is_relative(target: str) -> bool:
    return not (target.startswith(("#", "/")) or re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", target))


def _outside_prose(markdown: str) -> list[tuple[int, int]]:
    """Spans of ``markdown`` that are not inside fenced code blocks (code is not rewritten)."""
    spans, start, inside = [], 0, False
    for fence in FENCE.finditer(markdown):
        if not inside:
            spans.append((start, fence.start()))
        else:
            start = markdown.find("\n", fence.start()) + 1 or len(markdown)
        inside = not inside
    if not inside:
        spans.append((start, len(markdown)))
    return spans


def _links(markdown: str) -> list[re.Match[str]]:
    return [match for begin, end in _outside_prose(markdown)
            for match in LINK.finditer(markdown, begin, end)]


def _target(source: Path, link: str) -> Path:
    return (source.parent / link.split("#", 1)[0]).resolve()


def _src_uri(path: Path, docs: Path, root: Path) -> str:
    """Where a repository file lives in the site's source tree."""
    if path.is_relative_to(docs):
        return path.relative_to(docs).as_posix()
    return f"{PREFIX}/{path.relative_to(root).as_posix()}"


def on_files(files: Files, *, config: MkDocsConfig) -> Files:
    """Add every repository file outside docs/ that a page links to (and that those link to)."""
    root, docs = _root(config), Path(config.docs_dir).resolve()
    pending = [Path(file.abs_src_path) for file in files.documentation_pages()
               if file.abs_src_path]
    seen: set[Path] = set()
    while pending:
        source = pending.pop()
        for match in _links(source.read_text(encoding="utf-8")):
            if not _is_relative(match.group(2)):
                continue
            path = _target(source, match.group(2))
            if path in seen or path.is_relative_to(docs) or not path.is_relative_to(root):
                continue
            if not path.is_file():
                continue  # left for MkDocs to report as a broken link
            seen.add(path)
            # Not in the navigation: these pages are reached through the links that named them.
            files.append(File.generated(config, _src_uri(path, docs, root), abs_src_path=str(path),
                                        inclusion=InclusionLevel.NOT_IN_NAV))
            if path.suffix == ".md":
                pending.append(path)
    return files


def on_page_markdown(markdown: str, *, page: Page, config: MkDocsConfig, files: Files,
                     **_: Any) -> str:
    """Point links that leave docs/ at the copies made in ``on_files``."""
    if not page.file.abs_src_path:
        return markdown
    root, docs = _root(config), Path(config.docs_dir).resolve()
    source = Path(page.file.abs_src_path)
    here = posixpath.dirname(page.file.src_uri)
    out, last = [], 0
    for match in _links(markdown):
        link = match.group(2)
        path = _target(source, link) if _is_relative(link) else None
        if path is None or not path.is_relative_to(root) or not path.exists():
            continue
        uri = _src_uri(path, docs, root)
        if files.get_file_from_path(uri) is None:
            continue
        anchor = "#" + link.split("#", 1)[1] if "#" in link else ""
        new = posixpath.relpath(uri, here or ".") + anchor
        out += [markdown[last:match.start(2)], new]
        last = match.end(2)
    return "".join(out) + markdown[last:]

"""Reading a knowledge base file (YAML or CSV) into entries, with a reason per bad entry.

YAML: a list of entries (or ``{entries: [...]}``), as in ``docs/faq/sample-kb.yaml``.
CSV: a header row with ``id,question,answer`` and optionally ``url,keywords,lang,owner,
review_days,aliases,source,tags,twin``; list cells separate their items with ``;`` or ``|``.
Invalid entries are reported with their position and the reason; valid ones are returned.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from commands.wheres.entry import DEFAULT_REVIEW_DAYS, ID_PATTERN, LANGS, Entry

FIELDS = ("id", "question", "answer", "url", "keywords", "lang", "owner", "review_days",
          "aliases", "source", "tags", "twin")


@dataclass(frozen=True, slots=True)
class EntryError:
    position: str  # "entry 3 (line 12)" or "row 4"
    entry_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class ParsedFile:
    entries: list[Entry]
    errors: list[EntryError]


class FileError(ValueError):
    """The file as a whole cannot be read (not YAML, not a list, no CSV header)."""


def parse_file(
    name: str, text: str, *, default_review_days: int = DEFAULT_REVIEW_DAYS
) -> ParsedFile:
    """Parse by extension: ``.csv`` is CSV, anything else YAML."""
    items = _csv_items(text) if name.lower().endswith(".csv") else _yaml_items(text)
    entries: list[Entry] = []
    errors: list[EntryError] = []
    seen: set[str] = set()
    for position, item in items:
        raw_id = str(item.get("id", "") or "") if isinstance(item, Mapping) else ""
        try:
            entry = to_entry(item, default_review_days=default_review_days)
            if entry.id in seen:
                raise ValueError(f"id {entry.id!r} appears earlier in this file")
        except ValueError as exc:
            errors.append(EntryError(position, raw_id, str(exc)))
            continue
        seen.add(entry.id)
        entries.append(entry)
    return ParsedFile(entries, errors)


def _yaml_items(text: str) -> list[tuple[str, Any]]:
    try:
        data = yaml.safe_load(text)
        node = yaml.compose(text)
    except yaml.YAMLError as exc:
        raise FileError(f"not valid YAML: {exc}") from None
    if isinstance(data, Mapping) and "entries" in data:
        data = data["entries"]
        node = next((v for k, v in node.value if k.value == "entries"), None) if node else None
    if data is None:
        return []
    if not isinstance(data, list):
        raise FileError("expected a list of entries")
    lines = [n.start_mark.line + 1 for n in node.value] if node is not None else []
    return [
        (f"entry {i + 1} (line {lines[i]})" if i < len(lines) else f"entry {i + 1}", item)
        for i, item in enumerate(data)
    ]


def _csv_items(text: str) -> list[tuple[str, Any]]:
    try:
        return _csv_rows(text)
    except csv.Error as exc:  # found by the fuzz test: a stray carriage return, a NUL byte
        raise FileError(f"not readable as CSV: {exc}") from None


def _csv_rows(text: str) -> list[tuple[str, Any]]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    if not reader.fieldnames or not {"id", "question", "answer"} <= set(reader.fieldnames):
        raise FileError("CSV needs a header row with at least id, question and answer")
    out: list[tuple[str, Any]] = []
    for row in reader:
        item: dict[str, Any] = {k.strip(): (v or "").strip() for k, v in row.items() if k}
        for name in ("keywords", "aliases", "tags"):
            cell = item.get(name, "")
            item[name] = [p.strip() for p in cell.replace("|", ";").split(";") if p.strip()]
        out.append((f"row {reader.line_num}", item))
    return out


def _text(item: Mapping[str, Any], name: str, *, required: bool, limit: int) -> str:
    value = item.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ValueError(f"{name}: missing")
        return ""
    if not isinstance(value, str | int | float):
        raise ValueError(f"{name}: expected text")
    text = str(value).strip()
    if len(text) > limit:
        raise ValueError(f"{name}: longer than {limit} characters")
    return text


def _list(item: Mapping[str, Any], name: str) -> tuple[str, ...]:
    value = item.get(name)
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        value = [p for p in value.replace("|", ";").split(";")]
    if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
        raise ValueError(f"{name}: expected a list of words or phrases")
    return tuple(dict.fromkeys(str(v).strip() for v in value if str(v).strip()))


def to_entry(item: Any, *, default_review_days: int = DEFAULT_REVIEW_DAYS) -> Entry:
    """One entry from a mapping; ValueError names the field and what is wrong."""
    if not isinstance(item, Mapping):
        raise ValueError("expected a mapping with id, question and answer")
    unknown = sorted(set(map(str, item)) - set(FIELDS))
    if unknown:
        raise ValueError(f"unknown field(s): {', '.join(unknown)}")
    entry_id = _text(item, "id", required=True, limit=80).lower()
    if not ID_PATTERN.match(entry_id):
        raise ValueError(f"id {entry_id!r}: use letters, digits, '-', '_' or '.'")
    url = _link(item, "url")
    source = _link(item, "source")
    twin = _text(item, "twin", required=False, limit=80).lower()
    if twin and (not ID_PATTERN.match(twin) or twin == entry_id):
        raise ValueError(f"twin {twin!r}: name the id of the entry this one translates")
    lang = _text(item, "lang", required=False, limit=5).lower() or "nl"
    if lang not in LANGS:
        raise ValueError(f"lang: {lang!r} is not one of {', '.join(LANGS)}")
    owner = _text(item, "owner", required=False, limit=300)
    if owner and ":" not in owner:
        raise ValueError("owner: write a user key like slack:U123")
    days_value = item.get("review_days")
    try:
        days = int(days_value) if days_value not in (None, "") else default_review_days
    except (TypeError, ValueError):
        raise ValueError("review_days: expected a whole number of days") from None
    if days < 1:
        raise ValueError("review_days: must be 1 or more")
    return Entry(
        id=entry_id,
        question=_text(item, "question", required=True, limit=500),
        answer=_text(item, "answer", required=True, limit=4000),
        url=url, keywords=_list(item, "keywords"), lang=lang, owner=owner,
        review_days=days, aliases=_list(item, "aliases"), source=source,
        tags=_list(item, "tags"), twin=twin,
    )


def _link(item: Mapping[str, Any], name: str) -> str:
    url = _text(item, name, required=False, limit=1000)
    if url and not url.startswith(("https://", "http://")):
        raise ValueError(f"{name}: must start with https:// or http://")
    return url

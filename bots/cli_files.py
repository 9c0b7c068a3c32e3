"""Files the CLI reads and writes: a problem is one line on stderr and exit code 2."""

from __future__ import annotations

import sys
from pathlib import Path

EXIT_USAGE = 2


def read_input(path: Path) -> str | None:
    """The file's text, or None after saying on stderr why it cannot be read."""
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        print(f"hartslag: {path}: {reason}", file=sys.stderr)
        return None


def write_output(text: str, out: Path | None, *, done: str) -> int:
    """Write to ``out`` (stdout when None); ``done`` is said on stderr after writing a file."""
    if out is None:
        sys.stdout.write(text)
        return 0
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        print(f"hartslag: {out}: {exc.strerror}", file=sys.stderr)
        return EXIT_USAGE
    print(done, file=sys.stderr)
    return 0

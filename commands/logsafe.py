"""The one logging rule for failures: a log line names an exception's type and where it was
raised, never its message or the text of its traceback.

An exception's message can quote what a person wrote (a pulse answer, an anonymous signal, a
command's arguments, a platform's payload), and a formatted traceback ends with that message
and can show source lines holding it. ``error_fields(exc)`` gives what an operator needs to
find the bug (the type, the innermost frames as ``path:line in function``, and the same for
the exception it came from) and nothing a person typed. Use it in place of
``log.exception`` and ``exc_info=``; ``tests/test_logging_rule.py`` enforces that.
"""

from __future__ import annotations

import traceback
from functools import lru_cache
from pathlib import Path

FRAMES = 8  # innermost frames kept: the raise and the calls that led to it
_ROOT = Path(__file__).resolve().parents[1]


def error_fields(exc: BaseException, *, limit: int = FRAMES) -> dict[str, str]:
    """``extra`` fields for a failure: ``error_type``, ``where`` and, when the exception was
    raised while handling or from another one, ``cause_type`` and ``cause_where``."""
    fields = {"error_type": type_name(exc), "where": frames(exc, limit=limit)}
    cause = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
    if cause is not None:
        fields |= {"cause_type": type_name(cause), "cause_where": frames(cause, limit=2)}
    return fields


def type_name(exc: BaseException) -> str:
    """``ValueError`` for builtins, ``module.Name`` for everything else."""
    kind = type(exc)
    return kind.__qualname__ if kind.__module__ == "builtins" else (
        f"{kind.__module__}.{kind.__qualname__}")


def frames(exc: BaseException, *, limit: int = FRAMES) -> str:
    """The innermost frames, innermost first: ``commands/pulse/jobs.py:120 in close_round``.
    Only file names, line numbers and function names: no source line, no local value."""
    if limit <= 0:
        return ""
    # walk_tb, not extract_tb: no source file is read, and a line of source could hold text.
    found = [(frame.f_code.co_filename, line, frame.f_code.co_name)
             for frame, line in traceback.walk_tb(exc.__traceback__)][-limit:]
    return " <- ".join(f"{_short(path)}:{line} in {name}" for path, line, name in reversed(found))


@lru_cache(maxsize=1024)
def _short(filename: str) -> str:
    """A path an operator can open: relative to the project, or to site-packages for a
    library, else the file's name."""
    if "site-packages/" in filename:
        return filename.rsplit("site-packages/", 1)[1]
    try:
        return Path(filename).resolve().relative_to(_ROOT).as_posix()
    except ValueError:
        return filename.rsplit("/", 1)[-1]

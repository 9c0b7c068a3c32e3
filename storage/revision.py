"""Developer tool: autogenerate a migration for new tables as its own branch off 0001_core.

    python -m storage.revision 0004_pulse "pulse tables"

Migrates a scratch SQLite database to every existing head first, so the new file holds only
what no migration creates yet. Read the file afterwards: it must hold only your tables.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from alembic import command

from storage.migrate import alembic_config


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__)
        return 2
    rev_id, message = argv
    with tempfile.TemporaryDirectory() as tmp:
        cfg = alembic_config()
        cfg.set_main_option("sqlalchemy.url", f"sqlite:///{Path(tmp) / 'scratch.db'}")
        command.upgrade(cfg, "heads")
        command.revision(
            cfg, message=message, autogenerate=True, rev_id=rev_id,
            head="0001_core", splice=True, branch_label=rev_id.split("_", 1)[-1],
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

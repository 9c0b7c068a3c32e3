"""Developer tool: autogenerate a migration, as a new branch or on an existing one.

    python -m storage.revision 0019_kudos "kudos tables"              # a new branch off 0001_core
    python -m storage.revision 0020_pulse_x "what it adds" --on pulse   # next on the pulse branch

Migrates a scratch SQLite database to every existing head first, so the new file holds only
what no migration creates yet. A new branch is labelled with the part of the id after
``00NN_`` and lands in ``storage/migrations/versions/<label>/`` (the manifest must name the
label first); ``--on`` writes next to that branch's head, in its directory. Read the file
afterwards: it must hold only your change.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from alembic import command

from storage.migrate import alembic_config


def main(argv: list[str]) -> int:
    branch = None
    if len(argv) == 4 and argv[2] == "--on":
        branch = argv[3]
        argv = argv[:2]
    if len(argv) != 2:
        print(__doc__)
        return 2
    rev_id, message = argv
    with tempfile.TemporaryDirectory() as tmp:
        cfg = alembic_config()
        cfg.set_main_option("sqlalchemy.url", f"sqlite:///{Path(tmp) / 'scratch.db'}")
        command.upgrade(cfg, "heads")
        if branch is not None:
            command.revision(cfg, message=message, autogenerate=True, rev_id=rev_id,
                             head=f"{branch}@head")
        else:
            command.revision(
                cfg, message=message, autogenerate=True, rev_id=rev_id,
                head="0001_core", splice=True, branch_label=rev_id.split("_", 1)[-1],
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

"""Migration 0017: pulses from before drafts keep doing what they did (active ones stay
scheduled and keep opening rounds, stopped ones stay stopped)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import create_engine, text

from storage.migrate import alembic_config


def test_existing_pulses_become_scheduled_or_stopped(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    cfg = alembic_config()
    cfg.set_main_option("sqlalchemy.url", f"sqlite:///{path}")
    command.upgrade(cfg, "0012_pulse_audience")
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        for title, active in (("Loopt", 1), ("Gestopt", 0)):
            conn.execute(text(
                "INSERT INTO pulse_series (title, questions, channels, anonymous, \"trigger\", "
                "duration_minutes, reminder_minutes, reminder_mode, results_hidden, locale, "
                "created_by, created_at, active) VALUES (:title, '[]', '[]', 1, '', 60, 0, "
                "'off', 1, 'nl', 'local:anna', '2026-11-23 08:00:00', :active)"),
                {"title": title, "active": active})
    command.upgrade(cfg, "0017_pulse_state")
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT title, state, decided_by FROM pulse_series "
                                 "ORDER BY id")).all()
    assert [tuple(r) for r in rows] == [("Loopt", "scheduled", None), ("Gestopt", "stopped", None)]
    command.downgrade(cfg, "0012_pulse_audience")
    with engine.connect() as conn:
        columns = [r[1] for r in conn.execute(text("PRAGMA table_info(pulse_series)"))]
    assert "state" not in columns and "decided_by" not in columns
    engine.dispose()

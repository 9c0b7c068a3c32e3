"""The production wiring: with ``[teams] enabled`` the composition root builds the adapter via
``build_adapter``, mounts ``/api/messages`` on the one shared server (on 127.0.0.1) and
rejects unauthenticated requests (no network needed for that)."""

from __future__ import annotations

from pathlib import Path

import httpx

from commands.clock import FakeClock
from tests.conftest import make_config
from tests.teams.conftest import APP_ID


async def test_enabled_teams_is_mounted_on_the_shared_server(db_url: str, tmp_path: Path,
                                                             clock: FakeClock) -> None:
    from bots.app import App
    from bots.teams.adapter import TeamsAdapter

    config = make_config(db_url, tmp_path, server={"port": 0},
                         teams={"enabled": True, "app_id": APP_ID, "app_password": "secret"})
    app = App(config, clock=clock)
    teams = [a for a in app.adapters if a.platform == "teams"]
    assert len(teams) == 1 and isinstance(teams[0], TeamsAdapter)
    await app.start()
    assert app.server is not None
    port = app.server.port
    try:
        async with httpx.AsyncClient(timeout=10) as http:
            url = f"http://127.0.0.1:{port}"
            assert (await http.get(f"{url}/healthz")).status_code == 200
            activity = {"type": "message", "id": "1", "text": "help",
                        "serviceUrl": "https://smba.trafficmanager.net/emea/"}
            missing = await http.post(f"{url}/api/messages", json=activity)
            garbage = await http.post(f"{url}/api/messages", json=activity,
                                      headers={"Authorization": "Bearer x.y.z"})
        assert missing.status_code == 401 and garbage.status_code == 401
        assert teams[0].health() is None
    finally:
        await app.stop()
    assert teams[0].health() == "not started"

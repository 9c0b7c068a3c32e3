"""Where an anonymous pulse's invitation offers buttons is the platform's to say
(``Capabilities.public_presses``), not a platform name in the feature: in a room whose presses
everyone sees, the invitation asks for the answer by DM instead (commands/pulse/jobs.py)."""

from __future__ import annotations

import dataclasses
import json
from datetime import timedelta
from typing import Any

from commands.context import Context
from commands.port import Capabilities
from commands.pulse.jobs import invite_message
from storage.pulse import PulseRound, PulseSeries


class PublicPresses:
    """The app's port, but every platform says presses in a room are public."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def capabilities(self, platform: str) -> Capabilities:
        return dataclasses.replace(self._inner.capabilities(platform), public_presses=True)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def _invite(ctx: Context, *, anonymous: bool, direct: bool) -> Any:
    now = ctx.clock.now()
    series = PulseSeries(id=7, title="Weekcheck", created_by="local:anna", created_at=now,
                         anonymous=anonymous, questions=json.dumps([{"kind": "likert",
                                                                     "text": "Hoe gaat het?"}]))
    row = PulseRound(id=3, series_id=7, number=1, opened_at=now,
                     closes_at=now + timedelta(days=1))
    return invite_message(ctx, series, row, platform="local", direct=direct)


async def test_buttons_where_presses_are_private(app: Any) -> None:
    message = _invite(app.context(), anonymous=True, direct=False)
    assert message.choices


async def test_a_dm_instead_of_buttons_where_room_presses_are_public(app: Any) -> None:
    ctx = app.context()
    public = dataclasses.replace(ctx, services=dataclasses.replace(
        ctx.services, port=PublicPresses(ctx.services.port)))
    room = _invite(public, anonymous=True, direct=False)
    assert not room.choices and "privébericht" in room.markdown
    assert _invite(public, anonymous=True, direct=True).choices  # in a DM nobody else sees
    assert _invite(public, anonymous=False, direct=False).choices  # named: nothing to hide

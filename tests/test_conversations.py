"""The in-memory conversation store shared by the signals drafts and the pulse guides."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from commands.conversations import Conversations

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@dataclass
class _State:
    touched: datetime
    text: str = ""


def test_get_touches_and_expiry_is_reported_once() -> None:
    open_ = Conversations[_State](timedelta(minutes=30))
    open_.start("local:ann", _State(T0, "secret"))
    assert open_.get("local:ann", T0 + timedelta(minutes=20)) == _State(T0 + timedelta(minutes=20),
                                                                      "secret")
    # Touched at 20 minutes: still open 30 minutes after that, expired just past it.
    assert open_.get("local:ann", T0 + timedelta(minutes=50)) is not None
    assert open_.get("local:ann", T0 + timedelta(minutes=81)) == "expired"
    assert open_.get("local:ann", T0 + timedelta(minutes=82)) is None


def test_sweep_forgets_only_the_silent_and_repr_shows_no_content() -> None:
    open_ = Conversations[_State](timedelta(minutes=30))
    open_.start("local:ann", _State(T0, "secret"))
    open_.start("local:bob", _State(T0 + timedelta(minutes=25)))
    assert open_.sweep(T0 + timedelta(minutes=31)) == 1
    assert repr(open_) == "Conversations(1 open)"
    open_.drop("local:bob")
    assert open_.get("local:bob", T0) is None

"""What Matrix can show, and how its channels are written: a module without the SDK, so
a CLI command checks targets as the chat would without loading the platform's client."""

from __future__ import annotations

from commands.port import Capabilities, ChannelSyntax

# A room id is `!opaque` (room version 12 and later: no server part) or `!opaque:server`
# (older rooms); an alias always names its server.
CHANNEL = ChannelSyntax(r"![A-Za-z0-9_\-+/=.]+(:[^\s:]+(:\d+)?)?|#[^\s:]+:[^\s:]+(:\d+)?",
                        ("!id", "!id:server", "#alias:server"))
CAPABILITIES = Capabilities(images=True, public_presses=True, name="Matrix", channel=CHANNEL)

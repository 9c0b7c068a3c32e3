"""What the local chat can show, and how its channels are written: a module without the SDK, so
a CLI command checks targets as the chat would without loading the platform's client."""

from __future__ import annotations

from commands.port import Capabilities, ChannelSyntax

WORKSPACE = "local"
# The local chat has one workspace and names its channels like people say them.
CHANNEL = ChannelSyntax(r"#\S+", ("#algemeen",), workspace=WORKSPACE)
CAPABILITIES = Capabilities(buttons=True, images=True, name="chat", channel=CHANNEL)

"""What Slack can show, and how its channels are written: a module without the SDK, so
a CLI command checks targets as the chat would without loading the platform's client."""

from __future__ import annotations

from commands.port import Capabilities, ChannelSyntax

# A channel is written by its id (C…, G… or D…, upper case); a `#name` in a slash command
# arrives as a full address already, so a written name is a mistake worth telling.
CHANNEL = ChannelSyntax(r"[A-Z0-9]{2,40}", ("C0123",))
CAPABILITIES = Capabilities(buttons=True, forms=True, images=True, private_commands=True,
                            name="Slack", channel=CHANNEL)

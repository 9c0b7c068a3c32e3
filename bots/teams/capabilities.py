"""What Teams can show, and how its channels are written: a module without the SDK, so
a CLI command checks targets as the chat would without loading the platform's client."""

from __future__ import annotations

from commands.port import Capabilities

# Conversation ids are opaque (``19:…@thread.tacv2``, ``a:…``): any id is taken as written.
CAPABILITIES = Capabilities(buttons=True, forms=True, images=True, name="Teams")

"""``[matrix]`` settings."""

from __future__ import annotations

from pydantic import Field, field_validator, model_validator

from bots.settings_base import LocaleOrEmpty, Section


class MatrixSettings(Section):
    """The bot account, where it keeps its keys and which invitations it accepts.

    ``allowed_servers`` and ``allowed_rooms`` decide which invitations the bot accepts: an
    invitation from a user on an allowed server, or to an allowed room (room id or alias).
    With both lists empty the bot accepts invitations from its own server only.
    """

    enabled: bool = False
    homeserver: str = ""
    user_id: str = ""
    access_token: str = ""  # secret: HARTSLAG_MATRIX_ACCESS_TOKEN
    password: str = ""  # secret: HARTSLAG_MATRIX_PASSWORD
    device_id: str = ""
    device_name: str = "hartslag"
    data_dir: str = "./hartslag-matrix"
    store_passphrase: str = ""  # secret: HARTSLAG_MATRIX_STORE_PASSPHRASE (encrypts the keys)
    allowed_servers: list[str] = []
    allowed_rooms: list[str] = []
    encrypt_direct_rooms: bool = True
    sync_timeout_ms: int = Field(default=30000, ge=1000, le=120000)
    default_locale: LocaleOrEmpty = ""
    # Typed at the start of a room message ("hartslag: waar ..."), these count as a mention,
    # besides the bot's display name and localpart.
    names: list[str] = ["hartslag"]
    # People's Matrix ids by the organisation's convention, from an e-mail's local part
    # ("@{local}:example.org"); "" = no convention. Work-system notices use it to reach
    # someone who is not in the people directory yet.
    user_template: str = ""

    @field_validator("user_template")
    @classmethod
    def _template(cls, value: str) -> str:
        if value and not (value.startswith("@") and "{local}" in value and ":" in value):
            raise ValueError(f"{value!r}: write a user id with {{local}} in it, "
                             "e.g. @{local}:example.org")
        return value

    @field_validator("names")
    @classmethod
    def _names(cls, value: list[str]) -> list[str]:
        for name in value:
            if not name.strip().lstrip("@") or len(name) > 64:
                raise ValueError(f"{name!r}: a name must have 1 to 64 characters")
        return value

    @field_validator("allowed_rooms")
    @classmethod
    def _rooms(cls, value: list[str]) -> list[str]:
        for room in value:
            # Room ids of room version 12 carry no server name; aliases always do.
            if not (room.startswith("!") or (room.startswith("#") and ":" in room)):
                raise ValueError(f"{room!r} is not a room id (!abc...) or alias (#name:server)")
        return value

    @model_validator(mode="after")
    def _complete(self) -> MatrixSettings:
        if not self.enabled:
            return self
        if not self.homeserver:
            raise ValueError("homeserver: missing (e.g. https://matrix.example.org)")
        if not self.user_id:
            raise ValueError("user_id: missing (e.g. @hartslag:example.org)")
        if not self.user_id.startswith("@") or ":" not in self.user_id:
            raise ValueError("user_id: must look like @hartslag:example.org")
        if not self.access_token and not self.password:
            raise ValueError(
                "access_token: missing (set HARTSLAG_MATRIX_ACCESS_TOKEN or HARTSLAG_MATRIX_PASSWORD)"
            )
        return self

    @property
    def server_name(self) -> str:
        """The bot's own server, from its user id (``@hartslag:example.org`` -> example.org)."""
        return self.user_id.partition(":")[2]

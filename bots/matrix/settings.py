"""``[matrix]`` settings."""

from __future__ import annotations

from pydantic import model_validator

from bots.settings_base import Section


class MatrixSettings(Section):
    enabled: bool = False
    homeserver: str = ""
    user_id: str = ""
    access_token: str = ""  # secret: HARTSLAG_MATRIX_ACCESS_TOKEN
    password: str = ""  # secret: HARTSLAG_MATRIX_PASSWORD
    device_id: str = ""
    data_dir: str = "./hartslag-matrix"
    allowed_servers: list[str] = []
    allowed_rooms: list[str] = []
    default_locale: str = ""

    @model_validator(mode="after")
    def _complete(self) -> MatrixSettings:
        if not self.enabled:
            return self
        if not self.homeserver:
            raise ValueError("homeserver: missing (e.g. https://matrix.example.org)")
        if not self.user_id:
            raise ValueError("user_id: missing (e.g. @hartslag:example.org)")
        if not self.access_token and not self.password:
            raise ValueError(
                "access_token: missing (set HARTSLAG_MATRIX_ACCESS_TOKEN or HARTSLAG_MATRIX_PASSWORD)"
            )
        return self

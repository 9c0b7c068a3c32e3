"""``[signals]`` settings: anonymous signals with follow-up.

Secrets never live in the database and preferably not in the config file either: the relay key
and the HMAC secret arrive through ``HARTSLAG_SIGNALS_RELAY_KEY`` and
``HARTSLAG_SIGNALS_HMAC_SECRET`` (the config loader's environment overrides) or through key
files named here. With none of them set (the embedded demo) hartslag creates key files next to
the SQLite database, outside it, and logs a warning.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

DEFAULT_CATEGORIES: tuple[str, ...] = ("werkdruk", "sociale veiligheid", "ICT", "idee")
# How the default topics read in English; a topic is stored under its configured name.
DEFAULT_LABELS_EN: dict[str, str] = {"werkdruk": "workload", "sociale veiligheid": "social safety",
                                     "ICT": "IT", "idee": "idea"}


class SignalSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    enabled: bool = True
    # Categories a sender may pick (optional for the sender). Empty: no category question.
    categories: tuple[str, ...] = DEFAULT_CATEGORIES
    # English labels of the categories (name -> label) for people who chose English; a
    # category without one shows its name. The defaults have theirs built in.
    category_labels_en: dict[str, str] = {}
    # Teams a sender may name (optional). Empty: the sender may type a team name.
    teams: tuple[str, ...] = ()
    max_length: int = Field(default=2000, ge=100, le=20000)  # characters of one signal or reply
    min_length: int = Field(default=5, ge=1)
    # At most `rate_limit` signals per person per `rate_period_days` (a keyed hash per period).
    rate_limit: int = Field(default=3, ge=1)
    rate_period_days: int = Field(default=7, ge=1)
    # Cases, their messages and relay mappings are purged after this.
    retention_months: int = Field(default=12, ge=1, le=120)
    max_block_days: int = Field(default=365, ge=1)
    # Secrets: comma-separated urlsafe-base64 32-byte keys, the first seals, all unseal
    # (rotation). Prefer the environment: HARTSLAG_SIGNALS_RELAY_KEY.
    relay_key: SecretStr = SecretStr("")
    relay_key_file: str = ""
    # HMAC secret(s) for the rate limit, blocks and case codes: HARTSLAG_SIGNALS_HMAC_SECRET;
    # "new,old" during a rotation (new rows use the first, lookups try each).
    hmac_secret: SecretStr = SecretStr("")
    hmac_secret_file: str = ""
    # Where demo key files are created when no key is configured ("": next to the SQLite file).
    demo_key_dir: str = ""
    allow_demo_keys: bool = True
    # The legal whistleblower channel (this is not it): shown by `signal info`.
    whistleblower_text: str = (
        "Vermoeden van een misstand? Meld dat bij de vertrouwenspersoon of integriteitscontact "
        "van je organisatie, of bij het Huis voor Klokkenluiders."
    )
    whistleblower_text_en: str = (
        "Suspect wrongdoing? Report it to your organisation's confidential adviser or "
        "integrity contact, or to the Dutch Whistleblowers Authority (Huis voor Klokkenluiders)."
    )
    whistleblower_url: str = "https://www.huisvoorklokkenluiders.nl"
    # Weekly digest of open cases (turned on by triage with `signal digest on`).
    digest_weekday: int = Field(default=0, ge=0, le=6, description="0 = Monday, 6 = Sunday")
    digest_time: str = "09:00"  # Europe/Amsterdam

    @field_validator("categories", "teams")
    @classmethod
    def _names(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        cleaned = tuple(v.strip() for v in value)
        if any(not v or len(v) > 60 for v in cleaned):
            raise ValueError("every name must be 1-60 characters")
        if len({v.lower() for v in cleaned}) != len(cleaned):
            raise ValueError("names must be unique")
        return cleaned

    @field_validator("digest_time")
    @classmethod
    def _time(cls, value: str) -> str:
        hour, sep, minute = value.partition(":")
        if not (sep and hour.isdecimal() and minute.isdecimal() and int(hour) < 24
                and int(minute) < 60):
            raise ValueError("must be HH:MM, e.g. 09:00")
        return value

    @model_validator(mode="after")
    def _lengths(self) -> SignalSettings:
        if self.min_length >= self.max_length:
            raise ValueError("min_length: must be below max_length")
        unknown = sorted(set(self.category_labels_en) - set(self.categories))
        if unknown:
            raise ValueError(f"category_labels_en: {', '.join(unknown)} is not one of the "
                             "categories")
        return self

    def label(self, category: str, locale: str) -> str:
        """A category as a person reading ``locale`` sees it."""
        if locale != "en":
            return category
        return self.category_labels_en.get(category) or DEFAULT_LABELS_EN.get(category, category)

    def whistleblower(self, locale: str) -> str:
        return self.whistleblower_text_en if locale == "en" else self.whistleblower_text

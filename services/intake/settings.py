from __future__ import annotations

from pydantic import model_validator
from pydantic_settings import SettingsConfigDict

from services.intake.store.sealed import DEV_DATA_KEY, DEV_LOOKUP_KEY
from shared.sealed import key_list, keys_setting, lookup_key_setting
from shared.settings import ServiceSettings


class Settings(ServiceSettings):
    """Intake's settings: `INTAKE_DATABASE_URL`, `INTAKE_PORT`, the keys of the parties' personal
    data at rest, plus the shared ones."""

    model_config = SettingsConfigDict(env_prefix="INTAKE_", extra="ignore", populate_by_name=True)
    service: str = "intake"
    idempotency_ttl_hours: int = 24 * 7

    # Fernet keys sealing the parties' id numbers and phones at rest, comma-separated, the newest
    # first (store/sealed.py); required outside development.
    data_keys: str = ""
    # The HMAC-SHA256 key of parties.id_number_hash (lookups by id number); required outside
    # development. Changing it needs every row rehashed (python -m services.intake.rekey).
    lookup_key: str = ""

    @model_validator(mode="after")
    def _keys(self) -> Settings:
        self.data_keys = keys_setting(self.data_keys, setting="INTAKE_DATA_KEYS", dev_key=DEV_DATA_KEY,
                                      development=self.is_development)
        self.lookup_key = lookup_key_setting(self.lookup_key, setting="INTAKE_LOOKUP_KEY", dev_key=DEV_LOOKUP_KEY,
                                             development=self.is_development)
        return self

    @property
    def data_key_list(self) -> list[str]:
        return key_list(self.data_keys)

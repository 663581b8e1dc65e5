from __future__ import annotations

from pydantic import Field, model_validator
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
    # At most this many filing transactions at once in one process (`INTAKE_FILING_CONCURRENCY`); the
    # other requests wait their turn in arrival order. More in flight adds no speed in one event loop
    # but has each transaction hold its court's case-number counter while the others take the CPU:
    # at 32 connections, a pool's worth (16) in flight answered 5-12 requests in over 2 s per run, 3
    # answered 0-1 at the same rate (issue #9, docs/BENCHMARKS.md).
    filing_concurrency: int = Field(3, ge=1, le=64)

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

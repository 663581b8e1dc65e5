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
    # but has each transaction hold its court's case-number counter while the others take the CPU.
    # `python -m bench.filing_turns` (one cluster, intake's API restarted per round, 32 connections,
    # 15 s a round; 2026-12-02 23:58 UTC): 6 filed 70.3, 60.6, 82.2 cases/s, its slowest answers
    # 0.78, 0.92, 0.61 s; 16 (the pool's worth) 56.4, 65.8, 75.3/s, 1.27, 1.16, 1.00 s; 3 65.8/s twice,
    # 0.85 s. In an earlier run (23:52) all three filed about 50/s, the slowest answers again shorter
    # with 3 and 6 (0.91-1.03 s) than with 16 (1.05-1.34 s).
    filing_concurrency: int = Field(6, ge=1, le=64)

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

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class Settings(ServiceSettings):
    """Intake's settings: `INTAKE_DATABASE_URL`, `INTAKE_PORT`, plus the shared ones."""

    model_config = SettingsConfigDict(env_prefix="INTAKE_", extra="ignore", populate_by_name=True)
    service: str = "intake"
    idempotency_ttl_hours: int = 24 * 7

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class Settings(ServiceSettings):
    """Mediation's settings: `MEDIATION_DATABASE_URL`, `MEDIATION_PORT`, plus the shared ones."""

    model_config = SettingsConfigDict(env_prefix="MEDIATION_", extra="ignore")
    service: str = "mediation"

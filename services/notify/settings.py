from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class Settings(ServiceSettings):
    """Notify's settings: `NOTIFY_DATABASE_URL`, `NOTIFY_PORT`, plus the shared ones."""

    model_config = SettingsConfigDict(env_prefix="NOTIFY_", extra="ignore")
    service: str = "notify"

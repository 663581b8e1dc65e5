from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class Settings(ServiceSettings):
    """Routing's settings: `ROUTING_DATABASE_URL`, `ROUTING_PORT`, plus the shared ones."""

    model_config = SettingsConfigDict(env_prefix="ROUTING_", extra="ignore", populate_by_name=True)
    service: str = "routing"
    policy_pack: str = "spc-2016"

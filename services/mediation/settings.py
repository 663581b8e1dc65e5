from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class Settings(ServiceSettings):
    """Mediation's settings: `MEDIATION_DATABASE_URL`, `MEDIATION_PORT`, `MEDIATION_SWEEP_INTERVAL_SECONDS`,
    plus the shared ones."""

    model_config = SettingsConfigDict(env_prefix="MEDIATION_", extra="ignore", populate_by_name=True)
    service: str = "mediation"
    # how often the offer, deadline and contact sweepers look for due cases; a case is at most this late
    sweep_interval_seconds: float = 30.0
    sweep_batch_size: int = 100
    # the mediator web client's session cookie
    ui_session_hours: float = 12.0  # at most, however busy
    ui_idle_minutes: float = 30.0  # without a request, the server ends the session
    ui_cookie_secure: bool = False

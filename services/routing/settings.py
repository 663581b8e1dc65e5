from pydantic import field_validator
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class Settings(ServiceSettings):
    """Routing's settings: `ROUTING_DATABASE_URL`, `ROUTING_PORT`, plus the shared ones."""

    model_config = SettingsConfigDict(env_prefix="ROUTING_", extra="ignore", populate_by_name=True)
    service: str = "routing"
    # how often closed joint-choice windows (2021 Art 10) are looked for: `ROUTING_CHOICE_SWEEP_SECONDS`
    choice_sweep_seconds: float = 30.0
    # Once a process-wide `ROUTING_POLICY_PACK`; the pack is now the ruleset's (by filing date), and a
    # leftover variable is refused rather than silently ignored, so nobody believes it still applies.
    policy_pack: str | None = None

    @field_validator("policy_pack")
    @classmethod
    def _not_here(cls, value: str | None) -> None:
        if value is not None:
            raise ValueError("ROUTING_POLICY_PACK is no longer read: the policy pack is the ruleset's "
                             "(policy_packs in PUT /v1/routing/rules, by the case's filing date)")
        return None

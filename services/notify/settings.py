"""Notify's settings: `NOTIFY_*` environment variables plus the shared ones (APP_ENV, BUS_URL, ...)."""

from __future__ import annotations

from pydantic import model_validator
from pydantic_settings import SettingsConfigDict

from services.notify.store.sealed import DEV_SECRET_KEY
from shared.sealed import key_list, keys_setting
from shared.settings import ServiceSettings

# Where `make run` serves the simulated court: the embedded process listens on port 8000.
EMBEDDED_SIMULATOR_ENDPOINT = "http://127.0.0.1:8000/court-simulator/handoffs"
SIMULATOR_MOUNT_PATH = "/court-simulator"


class Settings(ServiceSettings):
    """`NOTIFY_DATABASE_URL`, `NOTIFY_PORT`, and how notify reaches partners, courts and parties.

    `allow_private_webhooks` and `court_simulator` default to on only in development and test
    (APP_ENV), so a production deployment refuses internal webhook URLs unless told otherwise.
    """

    model_config = SettingsConfigDict(env_prefix="NOTIFY_", extra="ignore", populate_by_name=True)
    service: str = "notify"

    allow_private_webhooks: bool | None = None
    court_simulator: bool | None = None
    # The court system's hand-off endpoint, and per-court overrides as JSON: {"370202": "https://..."}.
    court_endpoint: str = ""
    court_endpoints: dict[str, str] = {}

    # Workers: how often they look for due work when nothing woke them (a commit that queued work wakes
    # its worker at once; the poll finds retries and reminders falling due), and how much they take at once.
    worker_poll_seconds: float = 2.0
    # A pass claims no more rows than it works at once, so no claimed row waits out its lease.
    # 50 at once: one claim and one recording transaction a pass, however many partners are waiting.
    worker_batch_size: int = 50
    worker_concurrency: int = 50
    http_timeout_seconds: float = 10.0
    # A claimed row is not due again before this; must outlast one HTTP attempt (see store.claims).
    claim_lease_seconds: float = 60.0

    smtp_host: str = ""
    smtp_port: int = 25
    smtp_sender: str = "noreply@courtmed.example"
    smtp_sender_name: str = "诉调对接中心"
    smtp_starttls: bool = False
    smtp_use_tls: bool = False
    smtp_username: str | None = None
    smtp_password: str | None = None

    # Fernet keys encrypting webhook signing secrets at rest, comma-separated, the newest first
    # (store/sealed.py); required outside development.
    secret_keys: str = ""

    sms_url: str = ""
    sms_api_key: str = ""
    sms_api_key_header: str = "X-Api-Key"

    @model_validator(mode="after")
    def _development_defaults(self) -> Settings:
        if self.allow_private_webhooks is None:
            self.allow_private_webhooks = self.is_development
        if self.court_simulator is None:
            self.court_simulator = self.is_development
        if not self.court_endpoint and self.court_simulator:
            self.court_endpoint = EMBEDDED_SIMULATOR_ENDPOINT
        if self.claim_lease_seconds <= 3 * self.http_timeout_seconds:
            # One attempt (DNS check, connect, send, read, record) is bounded by attempt_timeout.
            raise ValueError("NOTIFY_CLAIM_LEASE_SECONDS must exceed 3 x NOTIFY_HTTP_TIMEOUT_SECONDS")
        self.secret_keys = keys_setting(self.secret_keys, setting="NOTIFY_SECRET_KEYS", dev_key=DEV_SECRET_KEY,
                                        development=self.is_development)
        if self.worker_batch_size > self.worker_concurrency:
            raise ValueError("NOTIFY_WORKER_BATCH_SIZE must not exceed NOTIFY_WORKER_CONCURRENCY")
        return self

    @property
    def secret_key_list(self) -> list[str]:
        return key_list(self.secret_keys)

    @property
    def attempt_timeout_seconds(self) -> float:
        return 2 * self.http_timeout_seconds

    def court_endpoint_for(self, court_code: str | None) -> str | None:
        """The hand-off URL for this court, or None when none is configured."""
        if court_code and court_code in self.court_endpoints:
            return self.court_endpoints[court_code]
        return self.court_endpoint or None

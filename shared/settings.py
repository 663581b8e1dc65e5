"""One settings object per service, read from the environment and validated at start-up.

Fields shared by every service (bus URL, JWT secret, environment) have fixed names; the database URL
and the port are per service (`INTAKE_DATABASE_URL`, `ROUTING_PORT`, ...), because the all-in-one
process holds four services, each with its own database.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_JWT_SECRET = "dev-secret-change-me-0123456789abcdef"
DEFAULT_PORTS = {"intake": 8001, "routing": 8002, "mediation": 8003, "notify": 8004}
VAR_DIR = Path("var")


def async_database_url(url: str) -> str:
    """Rewrite plain driver URLs to the async drivers the services use."""
    for plain, async_ in (
        ("postgresql://", "postgresql+asyncpg://"),
        ("postgres://", "postgresql+asyncpg://"),
        ("sqlite:///", "sqlite+aiosqlite:///"),
    ):
        if url.startswith(plain):
            return async_ + url[len(plain):]
    return url


class ServiceSettings(BaseSettings):
    """Base of every service's settings; subclasses set `service` and the env prefix."""

    # A refused setting is reported without its value: keys and passwords must not reach the logs.
    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True, hide_input_in_errors=True)

    service: str = "service"
    env: str = Field("development", validation_alias="APP_ENV")
    bus_url: str = Field("memory://", validation_alias="BUS_URL")
    jwt_secret: str = Field(DEV_JWT_SECRET, validation_alias="JWT_SECRET")
    jwt_issuer: str = Field("courtmed", validation_alias="JWT_ISSUER")
    log_level: str = Field("INFO", validation_alias="LOG_LEVEL")
    database_url: str = ""
    host: str = "127.0.0.1"
    port: int = 0
    # A commit that wrote outbox rows wakes the relay at once; the poll only finds what a crash left.
    # 2 s: an idle platform's relays are most of what it spends doing nothing (idle CPU, issue #9).
    outbox_poll_seconds: float = Field(2.0, validation_alias="OUTBOX_POLL_SECONDS")
    rate_limit_per_minute: int = Field(3000, validation_alias="RATE_LIMIT_PER_MINUTE")
    rate_limit_burst: int = Field(500, validation_alias="RATE_LIMIT_BURST")
    # A larger body is refused with 413 unread; a route may declare its own (the batch create does).
    max_body_bytes: int = Field(1_048_576, ge=1024, validation_alias="MAX_BODY_BYTES")
    consumer_max_attempts: int = Field(5, validation_alias="CONSUMER_MAX_ATTEMPTS")
    consumer_retry_delay_ms: int = Field(2000, validation_alias="CONSUMER_RETRY_DELAY_MS")
    # At most this many events in one consumer transaction (fewer when fewer have arrived).
    consumer_batch_size: int = Field(100, ge=1, le=1000, validation_alias="CONSUMER_BATCH_SIZE")
    # How long a consumer, having received an event, and the outbox relay, woken by a commit, wait
    # for more before their transaction: the events of several cases then share one (0: never wait).
    # 40 ms, not 10: under load each transaction then carries more events, and in one make bench
    # session the platform spent 24 ms of CPU per case end to end against 28.5 (30 against 36 at 50
    # cases/s); 80 ms saved a little more and took the p99 of accepted -> routed at 50/s to 232 ms.
    batch_linger_ms: int = Field(40, ge=0, le=1000, validation_alias="BATCH_LINGER_MS")
    # What this process runs of its service: `all` (API, outbox relay, consumers, background loops),
    # `api` (the HTTP API alone) or `worker` (all but the API; its HTTP port serves only health,
    # readiness, metrics and the outbox's ops endpoints). api and worker are run side by side, so that
    # requests and the relay do not share one event loop (shared/outbox_wakeup.py).
    process_role: Literal["all", "api", "worker"] = Field("all", validation_alias="PROCESS_ROLE")
    # How often the backlog gauges (shared/backlog.py) are read from the database and the broker.
    metrics_sample_seconds: float = Field(15.0, gt=0, validation_alias="METRICS_SAMPLE_SECONDS")

    @model_validator(mode="after")
    def _split_roles_need_postgresql(self) -> ServiceSettings:
        if self.process_role != "all" and self.database_url.startswith("sqlite"):
            raise ValueError("PROCESS_ROLE api or worker needs PostgreSQL: the API's commits wake the "
                             "worker's outbox relay by NOTIFY; with SQLite run the service whole (all)")
        return self

    @property
    def is_development(self) -> bool:
        return self.env in {"development", "test"}

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        return async_database_url(value) if value else value

    @model_validator(mode="after")
    def _defaults_and_safety(self) -> ServiceSettings:
        if not self.database_url:
            VAR_DIR.mkdir(exist_ok=True)
            self.database_url = f"sqlite+aiosqlite:///{VAR_DIR}/{self.service}.db"
        if not self.port:
            self.port = DEFAULT_PORTS.get(self.service, 8000)
        if not self.is_development and self.jwt_secret == DEV_JWT_SECRET:
            raise ValueError("JWT_SECRET must be set outside development (APP_ENV=production)")
        if len(self.jwt_secret) < 32:
            raise ValueError("JWT_SECRET must be at least 32 characters")
        return self

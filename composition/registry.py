"""The composition root: which settings and runtime each service name stands for."""

from __future__ import annotations

import importlib

from composition.topology import QUEUES
from shared.bus import Bus, create_bus
from shared.service import ServiceRuntime
from shared.settings import ServiceSettings

SERVICES = ("intake", "routing", "mediation", "notify")
# Services run as two processes where each service is its own process (make run-distributed, the
# benchmark, Kubernetes): the API (`--role api`) and its workers (`--role worker`: the outbox relay and
# the consumers), with the default port of the worker's health, metrics and ops endpoints
# (<SERVICE>_WORKER_PORT overrides it). Intake's requests left its relay too few turns of one event
# loop under load: accepted cases waited in its outbox while routing had nothing to do (issue #9).
SPLIT_SERVICES = {"intake": 8005}


def worker_port(service: str, env: dict[str, str]) -> int:
    return int(env.get(f"{service.upper()}_WORKER_PORT", SPLIT_SERVICES[service]))


def settings_for(service: str, role: str | None = None) -> ServiceSettings:
    """The service's settings from the environment; `role` (composition.run --role) before PROCESS_ROLE."""
    module = importlib.import_module(f"services.{service}.settings")
    return module.Settings(**({"process_role": role} if role else {}))


def runtime_for(service: str, settings: ServiceSettings, bus: Bus) -> ServiceRuntime:
    module = importlib.import_module(f"services.{service}.app")
    return module.Runtime(settings, bus)


def bus_for(settings: ServiceSettings) -> Bus:
    return create_bus(settings.bus_url, topology=QUEUES, max_attempts=settings.consumer_max_attempts,
                      retry_delay_ms=settings.consumer_retry_delay_ms, max_batch=settings.consumer_batch_size,
                      linger_ms=settings.batch_linger_ms)

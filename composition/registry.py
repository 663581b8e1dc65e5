"""The composition root: which settings and runtime each service name stands for."""

from __future__ import annotations

import importlib

from composition.topology import QUEUES
from shared.bus import Bus, create_bus
from shared.service import ServiceRuntime
from shared.settings import ServiceSettings

SERVICES = ("intake", "routing", "mediation", "notify")


def settings_for(service: str) -> ServiceSettings:
    module = importlib.import_module(f"services.{service}.settings")
    return module.Settings()


def runtime_for(service: str, settings: ServiceSettings, bus: Bus) -> ServiceRuntime:
    module = importlib.import_module(f"services.{service}.app")
    return module.Runtime(settings, bus)


def bus_for(settings: ServiceSettings) -> Bus:
    return create_bus(settings.bus_url, topology=QUEUES, max_attempts=settings.consumer_max_attempts,
                      retry_delay_ms=settings.consumer_retry_delay_ms, max_batch=settings.consumer_batch_size,
                      linger_ms=settings.batch_linger_ms)

"""Mediation's wiring."""

from shared.bus import Bus
from shared.clock import SystemClock
from shared.service import ServiceRuntime
from services.mediation.consumers.offers import on_event
from services.mediation.settings import Settings
from services.mediation.store.models import MESSAGING, Base
from services.topology import MEDIATION_EVENTS


class Runtime(ServiceRuntime):
    name = "mediation"
    routers = ()

    def __init__(self, settings: Settings, bus: Bus, *, clock=None) -> None:
        super().__init__(settings, bus, metadata=Base.metadata, tables=MESSAGING)
        self.clock = clock or SystemClock()

    def register_consumers(self) -> None:
        self.consume("mediation.events", MEDIATION_EVENTS, on_event)

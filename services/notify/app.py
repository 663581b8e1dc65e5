"""Notify's wiring."""

from shared.bus import Bus
from shared.clock import SystemClock
from shared.service import ServiceRuntime
from services.notify.consumers.events import on_event
from services.notify.settings import Settings
from services.notify.store.models import MESSAGING, Base
from services.topology import NOTIFY_EVENTS


class Runtime(ServiceRuntime):
    name = "notify"
    routers = ()

    def __init__(self, settings: Settings, bus: Bus, *, clock=None) -> None:
        super().__init__(settings, bus, metadata=Base.metadata, tables=MESSAGING)
        self.clock = clock or SystemClock()

    def register_consumers(self) -> None:
        self.consume("notify.events", NOTIFY_EVENTS, on_event)

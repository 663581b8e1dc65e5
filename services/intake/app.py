"""Intake's wiring: its database, routers and consumer."""

from services.intake.api.routes import router
from services.intake.consumers.events import HANDLERS
from services.intake.settings import Settings
from services.intake.store.models import MESSAGING, Base
from shared.bus import Bus
from shared.handler_table import bound
from shared.service import ServiceRuntime


class Runtime(ServiceRuntime):
    name = "intake"
    routers = (router,)
    handler_table = HANDLERS

    def __init__(self, settings: Settings, bus: Bus, *, clock=None) -> None:
        super().__init__(settings, bus, metadata=Base.metadata, tables=MESSAGING, clock=clock)

    def register_consumers(self) -> None:
        self.consume("intake.events", bound(self.handler_table, self))

"""Intake's wiring: its database, routers and consumer."""

import asyncio

from services.intake.api.routes import router
from services.intake.consumers.events import HANDLERS
from services.intake.settings import Settings
from services.intake.store.models import MESSAGING, Base
from services.intake.store.sealed import use_data_keys
from shared.bus import Bus
from shared.handler_table import bound
from shared.sealed import LookupKey
from shared.service import ServiceRuntime


class Runtime(ServiceRuntime):
    name = "intake"
    routers = (router,)
    handler_table = HANDLERS
    settings: Settings  # intake's own, which the base class knows as ServiceSettings

    def __init__(self, settings: Settings, bus: Bus, *, clock=None) -> None:
        super().__init__(settings, bus, metadata=Base.metadata, tables=MESSAGING, clock=clock)
        # The parties' id numbers and phones at rest, and the keyed hash of lookups by id number.
        use_data_keys(settings.data_key_list)
        self.party_lookup = LookupKey(settings.lookup_key)
        # Filing transactions take turns (settings.filing_concurrency says why).
        self.filing_turns = asyncio.Semaphore(settings.filing_concurrency)

    def register_consumers(self) -> None:
        self.consume("intake.events", bound(self.handler_table, self))

"""Routing's wiring."""

from shared.bus import Bus
from shared.holidays import shipped_calendar
from shared.service import ServiceRuntime
from services.routing.api.choices import router as choices_router
from services.routing.api.decisions import router as decisions_router
from services.routing.api.partners import router as partners_router
from services.routing.api.rules import router as rules_router
from services.routing.api.simulate import router as simulate_router
from services.routing.consumers.decide import DecideConsumer
from services.routing.joint_choice import ChoiceSweeper
from services.routing.settings import Settings
from services.routing.store.models import MESSAGING, Base
from services.routing.store.roster import RosterCache


class Runtime(ServiceRuntime):
    name = "routing"
    routers = (partners_router, rules_router, decisions_router, simulate_router, choices_router)

    def __init__(self, settings: Settings, bus: Bus, *, clock=None) -> None:
        super().__init__(settings, bus, metadata=Base.metadata, tables=MESSAGING, clock=clock)
        self.roster = RosterCache()
        # the working-day calendar of the joint-choice window (2021 Art 10): the shipped holiday
        # arrangements (the years ops load live in mediation's table, which routing does not read)
        self.calendar = shipped_calendar()
        self.choice_sweeper = ChoiceSweeper(self)

    def register_consumers(self) -> None:
        self.consume("routing.events", DecideConsumer(self).handlers())

    def background_loops(self):
        return [*super().background_loops(), self.choice_sweeper.run]

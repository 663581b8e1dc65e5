"""Routing's wiring."""

from services.routing.actions.calendar import CALENDAR_IN_FORCE, calendar_refresh_loop, refresh_calendar
from services.routing.actions.roster import COMMITTED_CHANGES
from services.routing.api.choices import router as choices_router
from services.routing.api.decisions import router as decisions_router
from services.routing.api.partners import router as partners_router
from services.routing.api.rules import router as rules_router
from services.routing.api.simulate import router as simulate_router
from services.routing.consumers.events import HANDLERS
from services.routing.settings import Settings
from services.routing.store.models import MESSAGING, Base
from services.routing.store.roster import RosterCache
from services.routing.store.rulesets import ValidatedRulesets
from services.routing.sweepers import ChoiceSweeper
from shared.bus import Bus
from shared.handler_table import bound
from shared.holidays import HolidayCalendar, shipped_calendar
from shared.logging import get_logger
from shared.service import ServiceRuntime


class Runtime(ServiceRuntime):
    name = "routing"
    routers = (partners_router, rules_router, decisions_router, simulate_router, choices_router)
    handler_table = HANDLERS

    def __init__(self, settings: Settings, bus: Bus, *, clock=None) -> None:
        super().__init__(settings, bus, metadata=Base.metadata, tables=MESSAGING, clock=clock)
        self.roster = RosterCache()
        self.rulesets = ValidatedRulesets()
        # the working-day calendar of the joint-choice window (2021 Art 10): what the code ships
        # until start reads routing's copy of the holiday table (actions/calendar.py)
        self.calendar = shipped_calendar()
        self.choice_sweeper = ChoiceSweeper(self)
        self.db.on_commit(self.roster_committed)
        # a year arrives through the consumer (events_db); the refresh commits on db
        for database in (self.db, self.events_db):
            database.on_commit(self.calendar_committed)

    def roster_committed(self, info: dict) -> None:
        """A committed roster change reaches this process's index (actions/roster.py)."""
        for partner, revision in info.get(COMMITTED_CHANGES, ()):
            self.roster.applied(partner, revision)

    def calendar_committed(self, info: dict) -> None:
        """A committed holiday year becomes this process's calendar. Merged, not replaced: of two
        transactions committing close together, the one that read the table first may call last."""
        calendar = info.get(CALENDAR_IN_FORCE)
        if calendar is not None:
            self.calendar = HolidayCalendar.of([*self.calendar.years.values(), *calendar.years.values()])

    def register_consumers(self) -> None:
        self.consume("routing.events", bound(self.handler_table, self))

    async def start(self) -> None:
        try:
            await refresh_calendar(self)
        except Exception:
            # not fatal: the shipped calendar holds until the refresh loop reads the table
            get_logger("routing").warning("holiday table unreadable at start; using the shipped calendar",
                                          exc_info=True)
        await super().start()

    def cache_loops(self):
        return [self._refresh_calendar]

    async def _refresh_calendar(self) -> None:
        await calendar_refresh_loop(self)

    def background_loops(self):
        return [*super().background_loops(), self.choice_sweeper.run]

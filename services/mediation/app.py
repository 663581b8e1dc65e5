"""Mediation's wiring: its database, API and web-client routers, the consumer and the three sweepers."""

from services.mediation.actions.calendar import calendar_refresh_loop, refresh_calendar
from services.mediation.api.calendar import router as calendar_router
from services.mediation.api.routes import router as mediations_router
from services.mediation.api.stats import router as stats_router
from services.mediation.backlog import mediation_samples
from services.mediation.consumers.events import HANDLERS
from services.mediation.settings import Settings
from services.mediation.store.models import MESSAGING, Base
from services.mediation.sweepers import contact_sweeper, deadline_sweeper, offer_sweeper
from services.mediation.web.routes import router as ui_router
from services.mediation.web.session import COOKIE
from shared.bus import Bus
from shared.handler_table import bound
from shared.holidays import shipped_calendar
from shared.logging import get_logger
from shared.service import ServiceRuntime


class Runtime(ServiceRuntime):
    name = "mediation"
    routers = (mediations_router, stats_router, calendar_router, ui_router)
    # Named in the document so a reader knows what the /ui/ cookie is; no operation takes it (the
    # web client's pages are not in the document, and /v1 takes bearer tokens only).
    security_schemes = {"sessionCookie": {
        "type": "apiKey", "in": "cookie", "name": COOKIE,
        "description": f"The mediators' web client's session at /ui/ (the `{COOKIE}` cookie, with a CSRF "
                       "token in every form). The web client is not part of this API and no operation here "
                       "accepts the cookie: /v1 takes bearer tokens only."}}
    handler_table = HANDLERS

    def __init__(self, settings: Settings, bus: Bus, *, clock=None) -> None:
        super().__init__(settings, bus, metadata=Base.metadata, tables=MESSAGING, clock=clock)
        # the holiday arrangement windows and periods are counted on: what the code ships until the
        # table is read at start, then the table's years over it (refreshed once a sweep interval)
        self.calendar = shipped_calendar()
        self.offer_sweeper = offer_sweeper(self)
        self.deadline_sweeper = deadline_sweeper(self)
        self.contact_sweeper = contact_sweeper(self)

    def register_consumers(self) -> None:
        self.consume("mediation.events", bound(self.handler_table, self))

    async def start(self) -> None:
        try:
            await refresh_calendar(self)
        except Exception:
            # not fatal: the shipped calendar holds until the refresh loop reads the table
            get_logger("mediation").warning("holiday table unreadable at start; using the shipped calendar",
                                            exc_info=True)
        await super().start()

    def cache_loops(self):
        return [self._refresh_calendar]

    async def _refresh_calendar(self) -> None:
        await calendar_refresh_loop(self)

    def backlog_samples(self):
        return [*super().backlog_samples(), *mediation_samples(self.events_db, self.clock.now, lambda: self.calendar)]

    def background_loops(self):
        return [self.outbox.run, self.offer_sweeper.run, self.deadline_sweeper.run, self.contact_sweeper.run]

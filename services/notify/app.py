"""Notify's wiring: its database, API, consumer, the three senders, and (in development) the
simulated court system mounted beside the API."""

from __future__ import annotations

import random

import aiohttp
from fastapi import FastAPI

from services.notify.api.deliveries import router as deliveries_router
from services.notify.api.endpoints import router as endpoints_router
from services.notify.api.handoffs import router as handoffs_router
from services.notify.backlog import notify_samples
from services.notify.channels.http_delivery import outbound_client
from services.notify.channels.safe_url import Resolver, system_resolver
from services.notify.consumers.events import HANDLERS
from services.notify.court_simulator import create_app as create_court_simulator
from services.notify.settings import SIMULATOR_MOUNT_PATH, Settings
from services.notify.store.models import MESSAGING, Base
from services.notify.store.queued import queued_workers
from services.notify.store.sealed import use_secret_keys
from services.notify.workers.handoffs import HandoffWorker
from services.notify.workers.notices import NoticeWorker
from services.notify.workers.webhooks import WebhookWorker
from shared.bus import Bus
from shared.clock import SystemClock
from shared.handler_table import bound
from shared.service import ServiceRuntime


class Runtime(ServiceRuntime):
    name = "notify"
    routers = (endpoints_router, deliveries_router, handoffs_router)
    handler_table = HANDLERS
    settings: Settings  # notify's own, which the base class knows as ServiceSettings

    def __init__(self, settings: Settings, bus: Bus, *, clock=None, resolver: Resolver = system_resolver) -> None:
        super().__init__(settings, bus, metadata=Base.metadata, tables=MESSAGING, clock=clock)
        use_secret_keys(settings.secret_key_list)
        # The webhook-timestamp header is checked by receivers against their own clocks, so it is
        # the wall clock even when tests move `clock` to drive the schedule.
        self.wall_clock = SystemClock()
        self.rng = random.SystemRandom()
        self.resolver = resolver
        self.http: aiohttp.ClientSession | None = None
        self.webhooks = WebhookWorker(self)
        self.handoffs = HandoffWorker(self)
        self.notices = NoticeWorker(self)
        # A commit that queued work (the consumer's, a retry's) wakes the workers it queued work for:
        # sent now, not at the next poll (store/queued.py).
        for db in (self.db, self.events_db):
            db.on_commit(self.wake_workers)

    def wake_workers(self, info: dict) -> None:
        queued = queued_workers(info)
        for worker in (self.webhooks, self.handoffs, self.notices):
            if worker.name in queued:
                worker.wake()

    def register_consumers(self) -> None:
        self.consume("notify.events", bound(self.handler_table, self))

    def background_loops(self):
        return [self.outbox.run, self.deliver_webhooks, self.send_handoffs, self.send_notices]

    def backlog_samples(self):
        return [*super().backlog_samples(), *notify_samples(self.events_db, self.clock.now)]

    async def deliver_webhooks(self) -> None:
        await self.webhooks.run()

    async def send_handoffs(self) -> None:
        await self.handoffs.run()

    async def send_notices(self) -> None:
        await self.notices.run()

    async def start(self) -> None:
        # Room for all three workers' attempts at once: none waits for a connection, which would
        # count against its timeout as if the receiver were slow.
        self.http = outbound_client(self.settings.http_timeout_seconds,
                                    connections=3 * self.settings.worker_concurrency)
        await super().start()

    async def stop(self) -> None:
        await super().stop()
        if self.http is not None:
            await self.http.close()
            self.http = None

    def mount(self, app: FastAPI) -> None:
        if self.settings.court_simulator:
            app.mount(SIMULATOR_MOUNT_PATH, create_court_simulator())

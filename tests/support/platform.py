"""Run services in the test process: the real FastAPI apps and consumers, over the databases and bus
the test chooses (PostgreSQL or SQLite; RabbitMQ or in-process)."""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, AsyncIterator

import httpx

from composition.registry import SERVICES, bus_for, runtime_for, settings_for
from shared.auth import issue_token
from shared.bus import Bus, InMemoryBus
from shared.migrations import upgrade
from shared.service import ServiceRuntime, create_app
from shared.settings import DEV_JWT_SECRET


@dataclass
class Platform:
    app: Any
    client: httpx.AsyncClient
    bus: Bus
    runtimes: dict[str, ServiceRuntime] = field(default_factory=dict)

    def token(self, role: str, **claims: str) -> str:
        return issue_token(DEV_JWT_SECRET, role=role, **claims)

    def auth(self, role: str, **claims: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(role, **claims)}"}

    # Batches being handled right now, per queue (counted around each subscription's handler).
    in_hand: dict[str, int] = field(default_factory=dict)
    # When set, each event's first delivery to each queue fails after its handler ran (as if the
    # process died between commit and ack): every handler then meets its own redelivery.
    redeliver_first: bool = False
    _delivered: set[tuple[str, str]] = field(default_factory=set)

    async def settle(self, timeout: float = 10.0, *, dead_letters_expected: int = 0) -> None:
        """Wait until every outbox is published and every published event has been handled, then fail
        if any message was dead-lettered (beyond `dead_letters_expected`): a consumer that crashes on
        every delivery must not pass for one that decided to do nothing."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        quiet = 0
        while loop.time() < deadline:
            published = sum([await r.outbox.publish_pending() for r in self.runtimes.values()])
            # A relay loop may hold rows mid-publish (skipped above): they count as not yet settled.
            published += sum([await r.outbox.unpublished() for r in self.runtimes.values()])
            if isinstance(self.bus, InMemoryBus):
                await self.bus.drain(timeout=max(0.1, deadline - loop.time()))
                # Twice in a row: a handler that finished during the drain may have written outbox
                # rows after this pass counted them (its relay has not published them yet).
                quiet = quiet + 1 if published == 0 and self.bus.idle else 0
                settled = quiet >= 2
            else:
                await asyncio.sleep(0.1)
                # Nothing waiting at the broker (work and retry queues), nothing in a handler, twice in
                # a row (a message can be between the broker's delivery and the handler's batch).
                quiet = quiet + 1 if published == 0 and await self._broker_quiet() else 0
                settled = quiet >= 2
            if settled:
                dead = await self.dead_letters()
                if len(dead) > dead_letters_expected:
                    raise AssertionError(f"messages were dead-lettered (a consumer kept failing): {dead}")
                return
        raise TimeoutError(f"the platform did not settle; dead letters so far: {await self.dead_letters()}")

    async def dead_letters(self) -> list[str]:
        """`queue: event type` of every dead-lettered message, on either bus."""
        if isinstance(self.bus, InMemoryBus):
            return [f"{queue}: {envelope.type}" for queue, envelope in self.bus.dead_letters]
        found = []
        for queue, count in (await self._ready_counts(dead=True)).items():
            found += [queue] * count
        return found

    async def _broker_quiet(self) -> bool:
        if any(self.in_hand.values()):
            return False
        return not any((await self._ready_counts(dead=False)).values())

    async def _ready_counts(self, *, dead: bool) -> dict[str, int]:
        """Messages ready in each subscribed queue's work and retry queues, or in its dead-letter queue."""
        import aio_pika

        names = []
        for sub in self.bus.subscriptions:
            if dead:
                names.append(f"{sub.queue}.dlq")
            else:
                names += [sub.queue] + [f"{sub.queue}.retry.{d}ms" for d in self.bus.retry_delays]
        connection = await aio_pika.connect(self.bus.url)
        try:
            channel = await connection.channel()
            counts = {}
            for name in names:
                declared = await channel.declare_queue(name, passive=True)
                counts[name] = declared.declaration_result.message_count
            return counts
        finally:
            await connection.close()

    def count_in_hand(self) -> None:
        """Wrap each handler subscribed from now on (the services subscribe as the app starts) to know
        when a batch is in a handler."""
        subscribe_batch = self.bus.subscribe_batch

        def counted(queue, event_types, handler) -> None:
            subscribe_batch(queue, event_types, self._counted(queue, handler))

        self.bus.subscribe_batch = counted

    def _counted(self, queue: str, handler):
        async def handle(envelopes):
            self.in_hand[queue] = self.in_hand.get(queue, 0) + 1
            try:
                outcomes = await handler(envelopes)
                if self.redeliver_first:
                    first = [(queue, e.event_id) not in self._delivered for e in envelopes]
                    self._delivered |= {(queue, e.event_id) for e in envelopes}
                    outcomes = [ConnectionResetError("lost before the ack (test)") if is_first and ok is None
                                else ok for ok, is_first in zip(outcomes, first)]
                return outcomes
            finally:
                self.in_hand[queue] -= 1
        return handle


def migrate(service: str, url: str) -> None:
    upgrade(service, url)


@asynccontextmanager
async def running(database_urls: dict[str, str], *, bus_url: str = "memory://", clock: Any = None,
                  settings: dict[str, dict[str, Any]] | None = None, seed: bool = True,
                  migrate_first: bool = True, redeliver_first: bool = False) -> AsyncIterator[Platform]:
    """Start the named services (the keys of database_urls) in this process, as `make run` does."""
    names = [n for n in SERVICES if n in database_urls]
    overrides = settings or {}
    built = {n: type(settings_for(n))(database_url=database_urls[n], bus_url=bus_url, env="test",
                                        outbox_poll_seconds=0.05, consumer_retry_delay_ms=100,
                                        **overrides.get(n, {}))
             for n in names}
    if migrate_first:
        for name in names:
            await asyncio.to_thread(upgrade, name, built[name].database_url)
    if seed:
        from composition.seed import seed_service

        for name in names:
            await seed_service(name, built[name].database_url, demo=True)  # as make run does
    bus = bus_for(built[names[0]])
    runtimes = {}
    for name in names:
        runtime = runtime_for(name, built[name], bus)
        if clock is not None and hasattr(runtime, "clock"):
            runtime.clock = clock
        runtimes[name] = runtime
    startups = [hook for r in runtimes.values() for hook in getattr(r, "startup_hooks", lambda: [])()]
    app = create_app(list(runtimes.values()), bus, title="test", extra_startup=startups)
    for runtime in runtimes.values():
        mount = getattr(runtime, "mount", None)
        if mount:
            mount(app)
    platform = Platform(app=app, client=None, bus=bus, runtimes=runtimes, redeliver_first=redeliver_first)
    platform.count_in_hand()
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            platform.client = client
            yield platform

"""Run services in the test process: the real FastAPI apps and consumers, over the databases and bus
the test chooses (PostgreSQL or SQLite; RabbitMQ or in-process)."""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, AsyncIterator

import httpx

from services.registry import SERVICES, bus_for, runtime_for, settings_for
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

    async def settle(self, timeout: float = 10.0) -> None:
        """Wait until every outbox is published and every published event has been handled."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            published = sum([await r.outbox.publish_pending() for r in self.runtimes.values()])
            if isinstance(self.bus, InMemoryBus):
                await self.bus.drain(timeout=max(0.1, deadline - loop.time()))
                if published == 0 and self.bus.idle:
                    return
            else:
                await asyncio.sleep(0.2)
                if published == 0:
                    return
        raise TimeoutError("the platform did not settle")


def migrate(service: str, url: str) -> None:
    upgrade(service, url)


@asynccontextmanager
async def running(database_urls: dict[str, str], *, bus_url: str = "memory://", clock: Any = None,
                  settings: dict[str, dict[str, Any]] | None = None, seed: bool = True,
                  migrate_first: bool = True) -> AsyncIterator[Platform]:
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
        from services.seed import seed_service

        for name in names:
            await seed_service(name, built[name].database_url)
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
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield Platform(app=app, client=client, bus=bus, runtimes=runtimes)

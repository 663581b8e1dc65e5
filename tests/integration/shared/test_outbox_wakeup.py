"""An API process's commit wakes the outbox relay of another process (shared/outbox_wakeup.py), on the
real PostgreSQL: two Outbox objects over two engines stand for the two processes. The relay polls
every 30 s here, so a row published within seconds was published because it was announced."""

from __future__ import annotations

import asyncio
import contextlib

import asyncpg
from sqlalchemy import MetaData

from shared.bus import InMemoryBus
from shared.db import Database
from shared.events import Envelope
from shared.messaging import Outbox, messaging_tables
from shared.outbox_wakeup import WakeupListener, asyncpg_dsn, channel_of
from shared.polling import Shutdown

metadata = MetaData()
tables = messaging_tables(metadata)
SLOW_POLL_S = 30.0
CHANNEL = channel_of("test")


class RecordingBus(InMemoryBus):
    def __init__(self) -> None:
        super().__init__()
        self.published: list[str] = []

    async def publish(self, envelope: Envelope) -> None:
        self.published.append(envelope.case_id)


@contextlib.asynccontextmanager
async def two_processes(pg_database, *, announce: bool):
    """(the API's outbox, the relay's bus, the relay's database URL) with the relay and its listener running."""
    url = await pg_database("wakeup")
    api_db, relay_db = Database(url), Database(url)
    async with api_db.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    bus, shutdown = RecordingBus(), Shutdown()
    api = Outbox(api_db, tables, InMemoryBus(), "test", announce_channel=CHANNEL if announce else None)
    relay = Outbox(relay_db, tables, bus, "test", poll_seconds=SLOW_POLL_S, shutdown=shutdown)
    listener = WakeupListener(url, CHANNEL, relay.wake, shutdown)
    tasks = [asyncio.create_task(relay.run()), asyncio.create_task(listener.run())]
    try:
        await asyncio.sleep(0.5)  # the first pass and the LISTEN are done
        yield api, bus, url
    finally:
        shutdown.request()
        await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), 10)
        await api_db.dispose()
        await relay_db.dispose()


async def file(api: Outbox, case_id: str) -> None:
    async with api.db.unit_of_work() as session:
        await api.add(session, Envelope.new("case.received", case_id, "test"))


async def published_within(bus: RecordingBus, case_id: str, seconds: float) -> bool:
    for _ in range(int(seconds / 0.05)):
        if case_id in bus.published:
            return True
        await asyncio.sleep(0.05)
    return False


async def test_an_announced_commit_wakes_the_relay_of_another_process(pg_database):
    async with two_processes(pg_database, announce=True) as (api, bus, _url):
        await file(api, "c1")
        assert await published_within(bus, "c1", 3.0)
        await file(api, "c2")
        assert await published_within(bus, "c2", 3.0)
        assert bus.published == ["c1", "c2"]


async def test_without_the_announcement_the_relay_waits_for_its_poll(pg_database):
    async with two_processes(pg_database, announce=False) as (api, bus, _url):
        await file(api, "c1")
        assert not await published_within(bus, "c1", 3.0)


async def test_a_rolled_back_transaction_announces_nothing(pg_database):
    async with two_processes(pg_database, announce=True) as (api, bus, _url):
        with contextlib.suppress(RuntimeError):
            async with api.db.unit_of_work() as session:
                await api.add(session, Envelope.new("case.received", "gone", "test"))
                raise RuntimeError("the business change failed")
        await file(api, "kept")
        assert await published_within(bus, "kept", 3.0)
        assert bus.published == ["kept"]


async def test_the_listener_comes_back_after_its_connection_is_cut(pg_database):
    async with two_processes(pg_database, announce=True) as (api, bus, url):
        admin = await asyncpg.connect(asyncpg_dsn(url))
        try:
            cut = await admin.fetchval(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND query LIKE 'LISTEN%'")
        finally:
            await admin.close()
        assert cut == 1
        await asyncio.sleep(0.2)
        await file(api, "after-the-cut")
        # reconnecting (after 1 s) wakes the relay once, and the relay then hears the commits again
        assert await published_within(bus, "after-the-cut", 5.0)
        await file(api, "later")
        assert await published_within(bus, "later", 3.0)

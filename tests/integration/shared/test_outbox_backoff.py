"""With the broker away, the relay backs off instead of trying its whole batch at every commit that
wakes it, and says so once a pass; when the broker is back it publishes everything, in order."""

from __future__ import annotations

import asyncio

from sqlalchemy import MetaData, select

from shared.bus import InMemoryBus
from shared.db import Database
from shared.events import Envelope
from shared.messaging import Outbox, messaging_tables
from shared.polling import Shutdown

metadata = MetaData()
tables = messaging_tables(metadata)


class AwayBus(InMemoryBus):
    def __init__(self) -> None:
        super().__init__()
        self.away = True
        self.tries = 0
        self.published: list[str] = []

    async def publish(self, envelope: Envelope) -> None:
        self.tries += 1
        if self.away:
            raise ConnectionRefusedError("broker away (test)")
        self.published.append(envelope.case_id)


async def test_the_relay_backs_off_while_the_broker_is_away_and_catches_up_after(pg_database, caplog):
    db = Database(await pg_database("backoff"))
    async with db.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    bus, shutdown = AwayBus(), Shutdown()
    outbox = Outbox(db, tables, bus, "test", poll_seconds=30.0, shutdown=shutdown)
    relay = asyncio.create_task(outbox.run())
    try:
        async with db.unit_of_work() as session:
            await outbox.add_many(session, [Envelope.new("case.received", f"c{i}", "test") for i in range(5)])
        # a commit every 10 ms for 1.6 s, as filings do, each waking the relay
        for _ in range(160):
            outbox.wake()
            await asyncio.sleep(0.01)
        # passes at 0, 0.5 and 1.5 s (pauses of 0.5 and 1 s): each tries the first row of each case
        assert 5 <= bus.tries <= 20, bus.tries
        async with db.read() as session:
            attempts = (await session.execute(select(tables.outbox.c.attempts))).scalars().all()
        assert set(attempts) <= {1, 2, 3, 4} and len(attempts) == 5
        bus.away = False
        for _ in range(100):
            if len(bus.published) == 5:
                break
            outbox.wake()
            await asyncio.sleep(0.1)
        assert bus.published == [f"c{i}" for i in range(5)]
    finally:
        shutdown.request()
        await asyncio.wait_for(relay, 10)
        await db.dispose()

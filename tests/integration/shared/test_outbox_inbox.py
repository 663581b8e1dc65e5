"""Outbox and idempotent consumer on the real PostgreSQL."""

from __future__ import annotations

import asyncio

from sqlalchemy import Column, Integer, MetaData, String, Table, func, select

from shared.bus import InMemoryBus
from shared.db import Database
from shared.events import Envelope
from shared.messaging import Outbox, idempotent_consumer, messaging_tables

metadata = MetaData()
effects = Table("effects", metadata, Column("id", Integer, primary_key=True, autoincrement=True),
                Column("case_id", String(36)))
tables = messaging_tables(metadata)


class FailingBus(InMemoryBus):
    def __init__(self) -> None:
        super().__init__()
        self.down = True
        self.published: list[str] = []

    async def publish(self, envelope: Envelope) -> None:
        if self.down:
            raise ConnectionError("broker unreachable")
        self.published.append(envelope.event_id)


async def _database(pg_database) -> Database:
    db = Database(await pg_database("shared"))
    async with db.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    return db


async def test_outbox_row_commits_with_the_change_and_is_sent_only_once_confirmed(pg_database):
    db = await _database(pg_database)
    bus = FailingBus()
    outbox = Outbox(db, tables, bus, "test")
    try:
        async with db.unit_of_work() as session:
            await session.execute(effects.insert().values(case_id="c1"))
            await outbox.add(session, Envelope.new("case.received", "c1", "test"))
        try:
            async with db.unit_of_work() as session:
                await session.execute(effects.insert().values(case_id="c2"))
                await outbox.add(session, Envelope.new("case.received", "c2", "test"))
                raise RuntimeError("the business change failed")
        except RuntimeError:
            pass
        assert await outbox.publish_pending() == 0  # the broker is down: nothing marked sent
        bus.down = False
        assert await outbox.publish_pending() == 1
        assert await outbox.publish_pending() == 0
        async with db.read() as session:
            rows = (await session.execute(select(tables.outbox.c.case_id, tables.outbox.c.attempts,
                                                 tables.outbox.c.published_at))).all()
        assert [(r.case_id, r.attempts, r.published_at is not None) for r in rows] == [("c1", 1, True)]
        assert len(bus.published) == 1
    finally:
        await db.dispose()


async def test_idempotent_consumer_applies_each_event_once_even_concurrently(pg_database):
    db = await _database(pg_database)

    async def effect(session, envelope: Envelope) -> None:
        await session.execute(effects.insert().values(case_id=envelope.case_id))

    handle = idempotent_consumer(db, tables, "test.events", effect)
    envelope = Envelope.new("case.received", "c1", "test")
    try:
        await asyncio.gather(*(handle(envelope) for _ in range(10)))
        await handle(envelope)
        await handle(Envelope.new("case.received", "c1", "test"))  # another event, another effect
        async with db.read() as session:
            assert await session.scalar(select(func.count()).select_from(effects)) == 2
    finally:
        await db.dispose()

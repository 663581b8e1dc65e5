"""Outbox and idempotent consumer on the real PostgreSQL."""

from __future__ import annotations

import asyncio

from sqlalchemy import Column, Integer, MetaData, String, Table, func, select

from shared.bus import InMemoryBus
from shared.db import Database
from shared.events import Envelope
from shared.messaging import PARK_AFTER_ATTEMPTS, Outbox, idempotent_consumer, messaging_tables

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

    handle = idempotent_consumer(db, tables, "test.events", {"case.received": effect})
    envelope = Envelope.new("case.received", "c1", "test")
    try:
        outcomes = await asyncio.gather(*(handle([envelope]) for _ in range(10)))
        assert outcomes == [[None]] * 10
        assert await handle([envelope]) == [None]
        assert await handle([Envelope.new("case.received", "c1", "test")]) == [None]  # another event, another effect
        async with db.read() as session:
            assert await session.scalar(select(func.count()).select_from(effects)) == 2
    finally:
        await db.dispose()


async def test_a_batch_is_one_effect_per_new_event_and_a_bad_event_fails_alone(pg_database):
    db = await _database(pg_database)

    async def effect(session, envelope: Envelope) -> None:
        if envelope.case_id == "poison":
            raise RuntimeError("cannot apply")
        await session.execute(effects.insert().values(case_id=envelope.case_id))

    handle = idempotent_consumer(db, tables, "test.events", {"case.received": effect})
    seen = Envelope.new("case.received", "seen", "test")
    try:
        assert await handle([seen]) == [None]
        fresh = [Envelope.new("case.received", f"c{i}", "test") for i in range(5)]
        poison = Envelope.new("case.received", "poison", "test")
        batch = [fresh[0], seen, fresh[1], poison, fresh[2], fresh[2], fresh[3], fresh[4]]
        outcomes = await handle(batch)
        assert [type(o).__name__ if o else None for o in outcomes] == [
            None, None, None, "RuntimeError", None, None, None, None]
        async with db.read() as session:
            applied = sorted((await session.execute(select(effects.c.case_id))).scalars())
            inbox = set((await session.execute(select(tables.inbox.c.event_id))).scalars())
        # each new event once (the copy of fresh[2] and the redelivered `seen` add nothing)
        assert applied == ["c0", "c1", "c2", "c3", "c4", "seen"]
        # the poison event left no inbox row: its retry will run the handler again
        assert poison.event_id not in inbox and {e.event_id for e in fresh} <= inbox
    finally:
        await db.dispose()


async def test_events_without_a_handler_are_acknowledged_without_effect(pg_database):
    db = await _database(pg_database)
    calls: list[str] = []

    async def effect(session, envelope: Envelope) -> None:
        calls.append(envelope.type)

    handle = idempotent_consumer(db, tables, "test.events", {"case.received": effect})
    try:
        outcomes = await handle([Envelope.new("case.routed", "c1", "test"), Envelope.new("case.received", "c1", "test")])
        assert outcomes == [None, None] and calls == ["case.received"]
    finally:
        await db.dispose()


class PickyBus(InMemoryBus):
    """Refuses the events named in `refuse` until it is emptied; remembers what it took, in order."""

    def __init__(self, refuse: set[str]) -> None:
        super().__init__()
        self.refuse = refuse
        self.published: list[str] = []

    async def publish(self, envelope: Envelope) -> None:
        if envelope.event_id in self.refuse:
            raise ConnectionError("nacked")
        self.published.append(envelope.event_id)


async def test_relay_keeps_each_cases_order_and_a_failure_holds_back_only_its_case(pg_database):
    db = await _database(pg_database)
    a1, b1, a2, c1, b2, a3 = (Envelope.new("case.received", case, "test") for case in ("a", "b", "a", "c", "b", "a"))
    bus = PickyBus({a2.event_id})
    outbox = Outbox(db, tables, bus, "test")
    try:
        async with db.unit_of_work() as session:
            for envelope in (a1, b1, a2, c1, b2, a3):
                await outbox.add(session, envelope)
        assert await outbox.publish_pending() == 4
        # a2 failed: a3 was not sent ahead of it; b and c went on
        assert set(bus.published) == {a1.event_id, b1.event_id, c1.event_id, b2.event_id}
        assert bus.published.index(b1.event_id) < bus.published.index(b2.event_id)
        async with db.read() as session:
            rows = dict((await session.execute(select(tables.outbox.c.event_id, tables.outbox.c.attempts)
                                               .where(tables.outbox.c.published_at.is_(None)))).all())
        assert rows == {a2.event_id: 1, a3.event_id: 0}  # only the one that was tried counts an attempt
        bus.refuse.clear()
        assert await outbox.publish_pending() == 2
        assert bus.published[-2:] == [a2.event_id, a3.event_id]
        assert await outbox.publish_pending() == 0
    finally:
        await db.dispose()


async def _counts(db: Database) -> tuple[int, int]:
    async with db.read() as session:
        return (await session.scalar(select(func.count()).select_from(effects)),
                await session.scalar(select(func.count()).select_from(tables.inbox)))


async def test_a_handler_that_fails_once_takes_effect_on_its_retry_and_only_then(pg_database):
    """The inbox row shares the effect's transaction: the failed attempt leaves neither, so the retry
    is not taken for a duplicate (an inbox committed on its own would swallow the event for good)."""
    db = await _database(pg_database)
    failures_left = {"flaky": 1}

    async def effect(session, envelope: Envelope) -> None:
        await session.execute(effects.insert().values(case_id=envelope.case_id))
        if failures_left.get(envelope.case_id, 0) > 0:
            failures_left[envelope.case_id] -= 1
            raise RuntimeError("the database said no, once")

    handle = idempotent_consumer(db, tables, "test.events", {"case.received": effect})
    flaky = Envelope.new("case.received", "flaky", "test")
    try:
        [failure] = await handle([flaky])
        assert isinstance(failure, RuntimeError)
        assert await _counts(db) == (0, 0)  # the effect and the inbox row rolled back together
        assert await handle([flaky]) == [None]
        assert await _counts(db) == (1, 1)
        assert await handle([flaky]) == [None]  # a redelivery after success: no second effect
        assert await _counts(db) == (1, 1)
        # in a batch: the failure rolls the whole batch back (inbox rows included), and each event's
        # own try then applies it, the flaky one too (it fails only once)
        failures_left["flaky2"] = 1
        batch = [Envelope.new("case.received", case, "test") for case in ("b1", "flaky2", "b3")]
        assert await handle(batch) == [None, None, None]
        assert failures_left["flaky2"] == 0  # it did fail, inside the batch
        assert await _counts(db) == (4, 4)
        async with db.read() as session:
            applied = sorted((await session.execute(select(effects.c.case_id))).scalars())
        assert applied == ["b1", "b3", "flaky", "flaky2"]
    finally:
        await db.dispose()


async def test_through_the_bus_a_handler_that_fails_once_is_redelivered_and_applied_once(pg_database):
    db = await _database(pg_database)
    attempts: list[str] = []

    async def effect(session, envelope: Envelope) -> None:
        attempts.append(envelope.event_id)
        await session.execute(effects.insert().values(case_id=envelope.case_id))
        if len(attempts) == 1:
            raise RuntimeError("fails the first time only")

    bus = InMemoryBus(retry_delay_ms=20, max_attempts=3)
    bus.subscribe_batch("test.events", ["case.received"],
                        idempotent_consumer(db, tables, "test.events", {"case.received": effect}))
    await bus.start()
    envelope = Envelope.new("case.received", "c1", "test")
    try:
        await bus.publish(envelope)
        await bus.drain(timeout=20)  # returns once idle; the bound only stops a hang
        assert bus.idle and bus.dead_letters == []
        assert attempts == [envelope.event_id, envelope.event_id]  # tried, failed, redelivered
        assert await _counts(db) == (1, 1)
        await bus.publish(envelope)  # the broker's at-least-once: a copy after success
        await bus.drain(timeout=20)  # returns once idle; the bound only stops a hang
        assert attempts == [envelope.event_id] * 2 and await _counts(db) == (1, 1)
    finally:
        await bus.close()
        await db.dispose()


def _pending_gauge() -> float:
    from prometheus_client import REGISTRY

    return REGISTRY.get_sample_value("outbox_pending_messages", {"service": "test"})


async def test_a_commit_with_events_wakes_the_relay_at_once_and_the_gauge_counts_what_waits(pg_database):
    """The relay sleeps a whole poll interval unless a commit that wrote outbox rows wakes it."""
    db = await _database(pg_database)
    bus = PickyBus(set())
    outbox = Outbox(db, tables, bus, "test", poll_seconds=60)
    relay = asyncio.create_task(outbox.run())
    try:
        await asyncio.sleep(0.2)  # the relay's first pass found nothing and sleeps for 60 s
        first = Envelope.new("case.received", "w1", "test")
        async with db.unit_of_work() as session:
            await outbox.add(session, first)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 10
        while not (bus.published == [first.event_id] and _pending_gauge() == 0):  # the pass ends with the gauge
            assert loop.time() < deadline, "the commit did not wake the relay"
            await asyncio.sleep(0.02)
        # A refused event stays pending, and the gauge says how many rows wait.
        refused = [Envelope.new("case.received", "w2", "test"), Envelope.new("case.received", "w2", "test")]
        bus.refuse |= {refused[0].event_id}
        async with db.unit_of_work() as session:
            await outbox.add_many(session, refused)
        deadline = loop.time() + 10
        while _pending_gauge() != 2:
            assert loop.time() < deadline, f"gauge {_pending_gauge()}"
            await asyncio.sleep(0.02)
    finally:
        relay.cancel()
        await asyncio.gather(relay, return_exceptions=True)
        await db.dispose()


async def test_a_pass_takes_at_most_a_batch_in_id_order(pg_database):
    db = await _database(pg_database)
    bus = PickyBus(set())
    outbox = Outbox(db, tables, bus, "test", batch_size=2)
    events = [Envelope.new("case.received", f"c{i}", "test") for i in range(5)]
    try:
        async with db.unit_of_work() as session:
            await outbox.add_many(session, events)
        assert await outbox.publish_pending() == 2
        assert bus.published == [e.event_id for e in events[:2]]
        assert _pending_gauge() == 3  # the batch was full: more may wait, so they were counted
        assert await outbox.publish_pending() == 2 and await outbox.publish_pending() == 1
        assert await outbox.publish_pending() == 0
        assert bus.published == [e.event_id for e in events] and _pending_gauge() == 0
    finally:
        await db.dispose()


class SlowBus(PickyBus):
    async def publish(self, envelope: Envelope) -> None:
        await asyncio.sleep(0.5)
        await super().publish(envelope)


async def test_two_relays_share_the_rows_without_waiting_for_each_other(pg_database):
    """Replicas of a service each run a relay: rows one of them holds are skipped (SKIP LOCKED) by
    the other, which neither waits for them nor publishes them a second time."""
    db = await _database(pg_database)
    bus = SlowBus(set())
    one, other = Outbox(db, tables, bus, "test"), Outbox(db, tables, bus, "test")
    events = [Envelope.new("case.received", f"c{i}", "test") for i in range(3)]
    try:
        async with db.unit_of_work() as session:
            await outbox_add(one, session, events)
        busy = asyncio.create_task(one.publish_pending())
        await asyncio.sleep(0.2)  # `one` holds the three rows, publishing slowly
        loop = asyncio.get_running_loop()
        started = loop.time()
        assert await other.publish_pending() == 0
        assert loop.time() - started < 0.3, "the second relay waited for the first one's rows"
        assert await busy == 3
        assert sorted(bus.published) == sorted(e.event_id for e in events)
    finally:
        await db.dispose()


async def outbox_add(outbox: Outbox, session, envelopes) -> None:
    await outbox.add_many(session, envelopes)


async def test_the_order_is_the_querys_not_the_plans(pg_database):
    """A failed row is updated (its attempts), so PostgreSQL writes its new version after the case's
    later rows; on a large table the planner may read them in that physical order. With index scans
    off, the relay must still send the failed row first: only ORDER BY id keeps a case's order."""
    db = await _database(pg_database)
    async with db.engine.begin() as conn:
        name = (await conn.execute(select(func.current_database()))).scalar_one()
        await conn.exec_driver_sql(f'ALTER DATABASE "{name}" SET enable_indexscan = off')
        await conn.exec_driver_sql(f'ALTER DATABASE "{name}" SET enable_bitmapscan = off')
    await db.engine.dispose()  # new connections take the settings
    first, later = (Envelope.new("case.received", "a", "test") for _ in range(2))
    bus = PickyBus({first.event_id})
    outbox = Outbox(db, tables, bus, "test")
    try:
        async with db.unit_of_work() as session:
            await outbox.add_many(session, [first, later])
        assert await outbox.publish_pending() == 0  # `first` failed (its row rewritten), `later` held back
        bus.refuse.clear()
        assert await outbox.publish_pending() == 2
        assert bus.published == [first.event_id, later.event_id]
    finally:
        await db.dispose()


async def test_a_row_only_the_broker_refuses_while_it_takes_others_is_parked_after_its_attempts(pg_database):
    """Not a broker outage (the same passes publish other cases): after PARK_AFTER_ATTEMPTS refusals the
    row is parked and counted in the pass's answer, and its case waits while the others flow."""
    db = await _database(pg_database)
    stuck = Envelope.new("case.received", "stuck", "test")
    bus = PickyBus({stuck.event_id})
    outbox = Outbox(db, tables, bus, "test")
    try:
        async with db.unit_of_work() as session:
            await outbox.add(session, stuck)
        for attempt in range(1, PARK_AFTER_ATTEMPTS + 1):
            other = Envelope.new("case.received", f"other-{attempt}", "test")
            async with db.unit_of_work() as session:
                await outbox.add(session, other)
            settled = await outbox.publish_pending()
            assert bus.published[-1] == other.event_id
            # the last attempt parks the row: the pass settled the other case's event and parked this one
            assert settled == (2 if attempt == PARK_AFTER_ATTEMPTS else 1), attempt
        async with db.read() as session:
            parked = (await session.execute(select(tables.parked.c.event_id, tables.parked.c.attempts))).all()
        assert [tuple(row) for row in parked] == [(stuck.event_id, PARK_AFTER_ATTEMPTS)]
        assert await outbox.refresh_parked_count() == 1
    finally:
        await db.dispose()


async def test_a_broker_that_takes_nothing_parks_nothing_however_often_it_refuses(pg_database):
    """The positive control of the test above: the same refusals with no other row taken are the
    broker's fault, so the row keeps waiting (and is published once the broker is back)."""
    db = await _database(pg_database)
    stuck = Envelope.new("case.received", "stuck", "test")
    bus = PickyBus({stuck.event_id})
    outbox = Outbox(db, tables, bus, "test")
    try:
        async with db.unit_of_work() as session:
            await outbox.add(session, stuck)
        for _ in range(PARK_AFTER_ATTEMPTS + 2):
            assert await outbox.publish_pending() == 0
        assert await outbox.refresh_parked_count() == 0
        bus.refuse.clear()
        assert await outbox.publish_pending() == 1 and bus.published == [stuck.event_id]
    finally:
        await db.dispose()


async def test_a_pass_that_publishes_is_progress_for_readiness(pg_database):
    """`/readyz` fails a relay that has not advanced while rows wait: a pass that published, or found
    nothing, is progress; a pass whose every row failed is not."""
    db = await _database(pg_database)
    bus = PickyBus(set())
    outbox = Outbox(db, tables, bus, "test")
    try:
        async with db.unit_of_work() as session:
            await outbox.add(session, Envelope.new("case.received", "a", "test"))
        outbox.last_advanced -= 3600
        assert await outbox.publish_pending() == 1
        assert outbox.stalled_for() < 60
        refused = Envelope.new("case.received", "b", "test")
        bus.refuse.add(refused.event_id)
        async with db.unit_of_work() as session:
            await outbox.add(session, refused)
        outbox.last_advanced -= 3600
        assert await outbox.publish_pending() == 0
        assert outbox.stalled_for() >= 3600
    finally:
        await db.dispose()

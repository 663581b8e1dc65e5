"""When the relay parks a row and when it does not (shared/messaging.py), on the real PostgreSQL."""

from __future__ import annotations

from sqlalchemy import MetaData, select, update

from shared.bus import InMemoryBus
from shared.bus.base import Unpublishable
from shared.db import Database
from shared.events import Envelope
from shared.messaging import PARK_AFTER_ATTEMPTS, Outbox, messaging_tables

metadata = MetaData()
tables = messaging_tables(metadata)


class ChoosyBus(InMemoryBus):
    """Refuses the event ids in `refused` (with `error`), everything while `down`."""

    def __init__(self) -> None:
        super().__init__()
        self.down = False
        self.refused: dict[str, Exception] = {}
        self.published: list[tuple[str, str]] = []

    async def publish(self, envelope: Envelope) -> None:
        if self.down:
            raise ConnectionError("broker unreachable")
        if envelope.event_id in self.refused:
            raise self.refused[envelope.event_id]
        self.published.append((envelope.case_id, envelope.type))


async def _outbox(pg_database, bus) -> tuple[Database, Outbox]:
    db = Database(await pg_database("shared"))
    async with db.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    return db, Outbox(db, tables, bus, "test")


async def _add(db: Database, outbox: Outbox, *envelopes: Envelope) -> None:
    async with db.unit_of_work() as session:
        await outbox.add_many(session, list(envelopes))


async def _parked(db: Database) -> list[tuple[str, str]]:
    async with db.read() as session:
        return [(r.case_id, r.error) for r in (await session.execute(
            select(tables.parked).where(tables.parked.c.released_at.is_(None)))).all()]


async def test_an_unpublishable_row_is_parked_and_holds_only_its_own_case(pg_database):
    bus = ChoosyBus()
    db, outbox = await _outbox(pg_database, bus)
    try:
        bad = Envelope.new("case.received", "A", "test")
        bus.refused[bad.event_id] = Unpublishable("message cannot be encoded")
        await _add(db, outbox, bad, Envelope.new("case.received", "B", "test"),
                   Envelope.new("case.withdrawn", "A", "test"))
        assert await outbox.publish_pending() == 2  # B published, A's first row parked
        await _add(db, outbox, Envelope.new("case.received", "C", "test"), Envelope.new("case.routed", "A", "test"))
        await outbox.publish_pending()
        assert bus.published == [("B", "case.received"), ("C", "case.received")]
        assert [case for case, _ in await _parked(db)] == ["A"]
        assert await outbox.refresh_parked_count() == 1

        del bus.refused[bad.event_id]
        async with db.unit_of_work() as session:
            assert (await outbox.release(session, bad.event_id, by="ops:test")) is not None
        await outbox.publish_pending()
        assert bus.published[2:] == [("A", "case.received"), ("A", "case.withdrawn"), ("A", "case.routed")]
        assert await outbox.publish_pending() == 0 and await _parked(db) == []
    finally:
        await db.dispose()


async def test_a_broker_that_is_away_parks_nothing_however_long(pg_database):
    bus = ChoosyBus()
    db, outbox = await _outbox(pg_database, bus)
    try:
        await _add(db, outbox, Envelope.new("case.received", "A", "test"))
        bus.down = True
        for _ in range(PARK_AFTER_ATTEMPTS + 5):
            assert await outbox.publish_pending() == 0
        assert await _parked(db) == []
        bus.down = False
        assert await outbox.publish_pending() == 1
    finally:
        await db.dispose()


async def test_a_row_failing_alone_while_others_go_is_parked_after_its_attempts(pg_database):
    bus = ChoosyBus()
    db, outbox = await _outbox(pg_database, bus)
    try:
        odd = Envelope.new("case.received", "A", "test")
        bus.refused[odd.event_id] = RuntimeError("something only this message trips")
        await _add(db, outbox, odd)
        for i in range(PARK_AFTER_ATTEMPTS - 1):
            await _add(db, outbox, Envelope.new("case.received", f"other-{i}", "test"))
            await outbox.publish_pending()
        assert await _parked(db) == []  # not yet: it could still be passing trouble
        await _add(db, outbox, Envelope.new("case.received", "last", "test"))
        await outbox.publish_pending()
        assert [(case, error) for case, error in await _parked(db)] == [
            ("A", "RuntimeError: something only this message trips")]
    finally:
        await db.dispose()


async def test_a_stored_payload_that_is_no_event_is_parked_without_its_values(pg_database):
    bus = ChoosyBus()
    db, outbox = await _outbox(pg_database, bus)
    try:
        await _add(db, outbox, Envelope.new("case.received", "A", "test", {"id_number": "370202198001011232"}),
                   Envelope.new("case.received", "B", "test"))
        async with db.unit_of_work() as session:  # as an older version might have written it
            await session.execute(update(tables.outbox).where(tables.outbox.c.case_id == "A").values(
                payload='{"type": "case.received", "case_id": "A", "occurred_at": "370202198001011232"}'))
        assert await outbox.publish_pending() == 2
        [(case, error)] = await _parked(db)
        assert case == "A" and "payload is not a valid event" in error and "370202198001011232" not in error
        assert bus.published == [("B", "case.received")]
    finally:
        await db.dispose()

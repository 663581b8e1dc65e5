"""Transactional outbox and idempotent consumer (inbox), the two halves of "lose nothing".

- The outbox row is written in the same transaction as the business change; a relay publishes it
  and marks it sent only once the bus confirmed it. A crash between the two re-sends: at least once.
- The inbox row (consumer, event_id) is written in the same transaction as the consumer's effect; a
  redelivered event finds its row and is skipped: exactly one effect. Consumers take events in
  batches, one transaction a batch, the inbox still deciding per event.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone

import structlog
from sqlalchemy import (BigInteger, Column, Index, Integer, MetaData, String, Table, Text, func,
                        select, update)
from sqlalchemy.ext.asyncio import AsyncSession

from shared.bus import BatchHandler, Bus
from shared.bus.base import NotAttempted
from shared.context import correlation_id_var
from shared.db import Database, UTCDateTime
from shared.events import Envelope
from shared.logging import get_logger
from shared.polling import poll_forever
from shared.metrics import INBOX_DUPLICATES, OUTBOX_PENDING, OUTBOX_PUBLISH_FAILURES

log = get_logger("messaging")

ConsumerHandler = Callable[[AsyncSession, Envelope], Awaitable[None]]


@dataclass(frozen=True)
class MessagingTables:
    outbox: Table
    inbox: Table


def messaging_tables(metadata: MetaData) -> MessagingTables:
    """Define the outbox and inbox tables in a service's own metadata (its own database)."""
    outbox = Table(
        "outbox", metadata,
        Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
        Column("event_id", String(36), nullable=False, unique=True),
        Column("type", String(64), nullable=False),
        Column("case_id", String(36), nullable=False),
        Column("payload", Text, nullable=False),
        Column("created_at", UTCDateTime(), nullable=False),
        Column("published_at", UTCDateTime(), nullable=True),
        Column("attempts", Integer, nullable=False, server_default="0"),
        Column("last_error", Text, nullable=True),
    )
    Index("ix_outbox_unpublished", outbox.c.id, postgresql_where=outbox.c.published_at.is_(None),
          sqlite_where=outbox.c.published_at.is_(None))
    inbox = Table(
        "inbox", metadata,
        Column("consumer", String(100), primary_key=True),
        Column("event_id", String(36), primary_key=True),
        Column("processed_at", UTCDateTime(), nullable=False),
    )
    return MessagingTables(outbox, inbox)


# Set in a session's `info` by Outbox.add: the commit wakes the relay only when there is news for it.
OUTBOX_WRITTEN = "outbox_written"


class Outbox:
    """Writes events with the business change and relays them to the bus."""

    def __init__(self, db: Database, tables: MessagingTables, bus: Bus, service: str,
                 *, poll_seconds: float = 0.2, batch_size: int = 200) -> None:
        self.db, self.table, self.bus, self.service = db, tables.outbox, bus, service
        self.poll_seconds, self.batch_size = poll_seconds, batch_size
        self._insert = self.table.insert()
        self._wake = asyncio.Event()
        db.on_commit(self.on_commit)

    def on_commit(self, info: dict) -> None:
        """Wake the relay after a commit that wrote outbox rows (register it on every Database whose
        transactions add to this outbox)."""
        if info.get(OUTBOX_WRITTEN):
            self._wake.set()

    async def add(self, session: AsyncSession, envelope: Envelope) -> None:
        await self.add_many(session, [envelope])

    async def add_many(self, session: AsyncSession, envelopes: list[Envelope]) -> None:
        """One multi-row INSERT for the events of a transaction, in the order given."""
        if not envelopes:
            return
        now = datetime.now(timezone.utc)
        await session.execute(self._insert, [
            {"event_id": e.event_id, "type": e.type, "case_id": e.case_id, "payload": e.model_dump_json(),
             "created_at": now} for e in envelopes])
        session.info[OUTBOX_WRITTEN] = True

    async def run(self) -> None:
        """The relay loop: publish pending rows; sleep until woken by a commit or the poll interval."""
        await poll_forever(self.publish_pending, wake=self._wake, poll_seconds=self.poll_seconds,
                           batch_size=self.batch_size, name=f"{self.service}.outbox")

    async def publish_pending(self) -> int:
        """Publish one batch in id order, the cases side by side; a case stops at its first failure, so
        its later events wait behind it and order per case is kept."""
        async with self.db.unit_of_work(wake=False) as session:
            query = (select(self.table.c.id, self.table.c.payload)
                     .where(self.table.c.published_at.is_(None))
                     .order_by(self.table.c.id).limit(self.batch_size))
            if not self.db.is_sqlite:
                query = query.with_for_update(skip_locked=True)
            rows = (await session.execute(query)).all()
            if not rows:
                return 0
            outcomes = await self.bus.publish_many([Envelope.model_validate_json(payload) for _, payload in rows])
            done = [row_id for (row_id, _), failure in zip(rows, outcomes) if failure is None]
            if done:
                await session.execute(update(self.table).where(self.table.c.id.in_(done))
                                      .values(published_at=datetime.now(timezone.utc)))
            await self._record_failures(session, rows, outcomes)
        await self._report_pending(complete=len(done) == len(rows) < self.batch_size)
        return len(done)

    async def _record_failures(self, session: AsyncSession, rows, outcomes) -> None:
        for (row_id, _), failure in zip(rows, outcomes):
            if failure is None or isinstance(failure, NotAttempted):
                continue
            OUTBOX_PUBLISH_FAILURES.labels(service=self.service).inc()
            await session.execute(update(self.table).where(self.table.c.id == row_id).values(
                attempts=self.table.c.attempts + 1, last_error=repr(failure)[:500]))
            log.warning("outbox publish failed; will retry", service=self.service, error=repr(failure))

    async def _report_pending(self, *, complete: bool) -> None:
        if complete:
            # The pass took every pending row and published them all: nothing waits (but what other
            # replicas hold locked and are publishing now), so no COUNT on the hot path.
            OUTBOX_PENDING.labels(service=self.service).set(0)
            return
        async with self.db.read() as session:
            pending = (await session.execute(select(func.count()).select_from(self.table)
                                             .where(self.table.c.published_at.is_(None)))).scalar_one()
        OUTBOX_PENDING.labels(service=self.service).set(pending)


def idempotent_consumer(db: Database, tables: MessagingTables, consumer: str,
                        handlers: Mapping[str, ConsumerHandler]) -> BatchHandler:
    """A batch handler applying `handlers[envelope.type](session, envelope)` so that each event_id
    takes effect once for this consumer.

    A batch is one transaction: one multi-row INSERT claims the inbox rows, then the handlers run in
    arrival order. Should any of them fail, the batch rolls back and each event is tried again in a
    transaction of its own, so one bad event fails alone and the others take effect.
    """

    # Built once: every batch runs it (executemany with RETURNING: one round trip for the batch).
    claim = (db.insert(tables.inbox).on_conflict_do_nothing(index_elements=["consumer", "event_id"])
             .returning(tables.inbox.c.event_id))

    async def apply(envelopes: Sequence[Envelope]) -> None:
        async with db.unit_of_work() as session:
            fresh = await _claim_inbox(session, claim, consumer, envelopes)
            for envelope in envelopes:
                if envelope.event_id not in fresh:
                    INBOX_DUPLICATES.labels(consumer=consumer).inc()
                    continue
                fresh.discard(envelope.event_id)  # a second copy within the batch is a duplicate too
                handler = handlers.get(envelope.type)
                if handler is not None:
                    with _bound_to(envelope):
                        await handler(session, envelope)

    async def alone(envelope: Envelope) -> BaseException | None:
        try:
            await apply([envelope])
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            return exc
        return None

    async def handle(envelopes: Sequence[Envelope]) -> list[BaseException | None]:
        if len(envelopes) == 1:
            return [await alone(envelopes[0])]
        try:
            await apply(envelopes)
            return [None] * len(envelopes)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.warning("batch failed; its events are tried one by one", consumer=consumer, size=len(envelopes),
                        exc_info=True)
        return [await alone(envelope) for envelope in envelopes]

    return handle


async def _claim_inbox(session: AsyncSession, claim, consumer: str, envelopes: Sequence[Envelope]) -> set[str]:
    """Insert the inbox rows of the batch; the event ids that were new (not handled before)."""
    now = datetime.now(timezone.utc)
    rows = [{"consumer": consumer, "event_id": event_id, "processed_at": now}
            for event_id in dict.fromkeys(e.event_id for e in envelopes)]
    return set((await session.execute(claim, rows)).scalars())


@contextmanager
def _bound_to(envelope: Envelope) -> Iterator[None]:
    """The event's correlation id and ids on every log line and on the events its handler emits."""
    token = correlation_id_var.set(envelope.correlation_id)
    try:
        with structlog.contextvars.bound_contextvars(event_id=envelope.event_id, event_type=envelope.type,
                                                     case_id=envelope.case_id):
            yield
    finally:
        correlation_id_var.reset(token)

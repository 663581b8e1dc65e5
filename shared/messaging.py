"""Transactional outbox and idempotent consumer (inbox), the two halves of "lose nothing".

- The outbox row is written in the same transaction as the business change; a relay publishes it
  and marks it sent only once the bus confirmed it. A crash between the two re-sends: at least once.
- The inbox row (consumer, event_id) is written in the same transaction as the consumer's effect; a
  redelivered event finds its row and is skipped: exactly one effect.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timezone

import structlog
from sqlalchemy import (BigInteger, Column, Index, Integer, MetaData, String, Table, Text, func,
                        select, update)
from sqlalchemy.ext.asyncio import AsyncSession

from shared.bus import Bus
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


class Outbox:
    """Writes events with the business change and relays them to the bus."""

    def __init__(self, db: Database, tables: MessagingTables, bus: Bus, service: str,
                 *, poll_seconds: float = 0.2, batch_size: int = 100) -> None:
        self.db, self.table, self.bus, self.service = db, tables.outbox, bus, service
        self.poll_seconds, self.batch_size = poll_seconds, batch_size
        self._wake = asyncio.Event()
        db.on_commit(self._wake.set)

    async def add(self, session: AsyncSession, envelope: Envelope) -> None:
        await session.execute(self.table.insert().values(
            event_id=envelope.event_id, type=envelope.type, case_id=envelope.case_id,
            payload=envelope.model_dump_json(), created_at=datetime.now(timezone.utc),
        ))

    async def run(self) -> None:
        """The relay loop: publish pending rows; sleep until woken by a commit or the poll interval."""
        await poll_forever(self.publish_pending, wake=self._wake, poll_seconds=self.poll_seconds,
                           batch_size=self.batch_size, name=f"{self.service}.outbox")

    async def publish_pending(self) -> int:
        """Publish one batch in id order; stop at the first failure so order is kept."""
        async with self.db.unit_of_work() as session:
            query = (select(self.table.c.id, self.table.c.payload)
                     .where(self.table.c.published_at.is_(None))
                     .order_by(self.table.c.id).limit(self.batch_size))
            if not self.db.is_sqlite:
                query = query.with_for_update(skip_locked=True)
            rows = (await session.execute(query)).all()
            done: list[int] = []
            for row_id, payload in rows:
                try:
                    await self.bus.publish(Envelope.model_validate_json(payload))
                except Exception as exc:
                    OUTBOX_PUBLISH_FAILURES.labels(service=self.service).inc()
                    await session.execute(update(self.table).where(self.table.c.id == row_id).values(
                        attempts=self.table.c.attempts + 1, last_error=repr(exc)[:500]))
                    log.warning("outbox publish failed; will retry", service=self.service, error=repr(exc))
                    break
                done.append(row_id)
            if done:
                await session.execute(update(self.table).where(self.table.c.id.in_(done))
                                      .values(published_at=datetime.now(timezone.utc)))
        if done or rows:
            await self._report_pending()
        return len(done)

    async def _report_pending(self) -> None:
        async with self.db.read() as session:
            pending = (await session.execute(select(func.count()).select_from(self.table)
                                             .where(self.table.c.published_at.is_(None)))).scalar_one()
        OUTBOX_PENDING.labels(service=self.service).set(pending)


def idempotent_consumer(db: Database, tables: MessagingTables, consumer: str,
                        handler: ConsumerHandler) -> Callable[[Envelope], Awaitable[None]]:
    """Wrap `handler(session, envelope)` so each event_id takes effect once for this consumer."""

    async def handle(envelope: Envelope) -> None:
        token = correlation_id_var.set(envelope.correlation_id)
        try:
            with structlog.contextvars.bound_contextvars(event_id=envelope.event_id, event_type=envelope.type,
                                                         case_id=envelope.case_id):
                async with db.unit_of_work() as session:
                    claimed = await session.execute(
                        db.insert(tables.inbox)
                        .values(consumer=consumer, event_id=envelope.event_id,
                                processed_at=datetime.now(timezone.utc))
                        .on_conflict_do_nothing(index_elements=["consumer", "event_id"]))
                    if claimed.rowcount == 0:
                        INBOX_DUPLICATES.labels(consumer=consumer).inc()
                        return
                    await handler(session, envelope)
        finally:
            correlation_id_var.reset(token)

    return handle

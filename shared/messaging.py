"""Transactional outbox and idempotent consumer (inbox), the two halves of "lose nothing".

- The outbox row is written in the same transaction as the business change; a relay publishes it
  and marks it sent only once the bus confirmed it. A crash between the two re-sends: at least once.
- The inbox row (consumer, event_id) is written in the same transaction as the consumer's effect; a
  redelivered event finds its row and is skipped: exactly one effect. Consumers take events in
  batches, one transaction a batch, the inbox still deciding per event.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import structlog
from pydantic import ValidationError
from sqlalchemy import (
    BigInteger,
    Column,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    bindparam,
    func,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from shared.bus import BatchHandler, Bus
from shared.bus.base import NotAttempted, Unpublishable
from shared.clock import Clock, SystemClock
from shared.context import correlation_id_var, traceparent_var
from shared.db import Database, UTCDateTime
from shared.events import Envelope
from shared.logging import get_logger
from shared.metrics import (
    INBOX_DUPLICATES,
    OUTBOX_LAST_ADVANCE,
    OUTBOX_PARKED,
    OUTBOX_PARKED_TOTAL,
    OUTBOX_PENDING,
    OUTBOX_PUBLISH_FAILURES,
)
from shared.outbox_wakeup import announcing
from shared.polling import Shutdown, poll_forever

log = get_logger("messaging")

ConsumerHandler = Callable[[AsyncSession, Envelope], Awaitable[None]]


@dataclass(frozen=True)
class MessagingTables:
    outbox: Table
    inbox: Table
    parked: Table


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
    # Outbox rows the bus can never take as they are (shared/bus/base.py Unpublishable), set aside
    # with the reason until an operator replays them; one row per parking, so a replay that fails
    # again parks the row anew and the history stays. While a case has a row here not yet released,
    # its later events wait in the outbox (order per case); other cases flow on.
    parked = Table(
        "outbox_parked", metadata,
        Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
        Column("outbox_id", BigInteger, nullable=False),
        Column("event_id", String(36), nullable=False),
        Column("type", String(64), nullable=False),
        Column("case_id", String(36), nullable=False),
        Column("error", Text, nullable=False),
        Column("attempts", Integer, nullable=False),
        Column("parked_at", UTCDateTime(), nullable=False),
        Column("released_at", UTCDateTime(), nullable=True),
        Column("released_by", String(200), nullable=True),
    )
    Index("ix_outbox_parked_held_case", parked.c.case_id, postgresql_where=parked.c.released_at.is_(None),
          sqlite_where=parked.c.released_at.is_(None))
    return MessagingTables(outbox, inbox, parked)


# Set in a session's `info` by Outbox.add: the commit wakes the relay only when there is news for it.
OUTBOX_WRITTEN = "outbox_written"


class Outbox:
    """Writes events with the business change and relays them to the bus."""

    def __init__(self, db: Database, tables: MessagingTables, bus: Bus, service: str,
                 *, poll_seconds: float = 0.2, batch_size: int = 200, shutdown: Shutdown | None = None,
                 clock: Clock | None = None, linger_seconds: float = 0.0,
                 announce_channel: str | None = None) -> None:
        self.db, self.table, self.parked, self.bus, self.service = db, tables.outbox, tables.parked, bus, service
        self.clock = clock or SystemClock()
        self.shutdown = shutdown or Shutdown()
        self.poll_seconds, self.batch_size, self.linger_seconds = poll_seconds, batch_size, linger_seconds
        # Set when this process writes the outbox and another process relays it: the INSERT announces
        # its rows (shared/outbox_wakeup.py).
        self.announce_channel = announce_channel
        self._insert = announcing(self.table.insert(), announce_channel) if announce_channel else self.table.insert()
        self._count_failure = (update(self.table).where(self.table.c.id == bindparam("row_id"))
                               .values(attempts=self.table.c.attempts + 1, last_error=bindparam("error")))
        # Passes in a row that published nothing and failed: the relay then waits before the next.
        self._refused_passes = 0
        self._pending = self._pending_query()
        self.last_advanced = time.monotonic()
        self.stall_seconds = RELAY_STALL_SECONDS
        self._wake = asyncio.Event()
        db.on_commit(self.on_commit)

    def on_commit(self, info: dict) -> None:
        """Wake the relay after a commit that wrote outbox rows (register it on every Database whose
        transactions add to this outbox)."""
        if info.get(OUTBOX_WRITTEN):
            self._wake.set()

    def wake(self) -> None:
        """Run the next pass now (another process committed outbox rows)."""
        self._wake.set()

    async def add(self, session: AsyncSession, envelope: Envelope) -> None:
        await self.add_many(session, [envelope])

    async def add_many(self, session: AsyncSession, envelopes: list[Envelope]) -> None:
        """One multi-row INSERT for the events of a transaction, in the order given."""
        if not envelopes:
            return
        now = self.clock.now()
        await session.execute(self._insert, [
            {"event_id": e.event_id, "type": e.type, "case_id": e.case_id, "payload": e.model_dump_json(),
             "created_at": now} for e in envelopes])
        session.info[OUTBOX_WRITTEN] = True

    async def run(self) -> None:
        """The relay loop: publish pending rows; sleep until woken by a commit or the poll interval."""
        self._advanced()
        try:
            await self.refresh_parked_count()
        except Exception:
            log.warning("could not count parked outbox rows", service=self.service, exc_info=True)
        await poll_forever(self._pass_with_backoff, wake=self._wake, poll_seconds=self.poll_seconds,
                           batch_size=self.batch_size, name=f"{self.service}.outbox", shutdown=self.shutdown,
                           linger_seconds=self.linger_seconds)

    async def _pass_with_backoff(self) -> int:
        """A pass; after one that the bus refused whole (the broker away), a pause growing to
        RELAY_BACKOFF_MAX_S before the next: every commit wakes the relay, and each woken pass would
        otherwise try the whole batch again, dozens of times a second, for as long as the outage lasts."""
        settled = await self.publish_pending()
        if self._refused_passes:
            await self.shutdown.nap(min(RELAY_BACKOFF_MAX_S, RELAY_BACKOFF_S * 2 ** (self._refused_passes - 1)))
        return settled

    async def publish_pending(self) -> int:
        """Publish one batch in id order, the cases side by side; a case stops at its first failure, so
        its later events wait behind it and order per case is kept. A row the bus can never take is
        parked (`outbox_parked`) and the other cases go on; a broker that is away parks nothing.
        Answers how many rows the pass settled (published or parked)."""
        async with self.db.unit_of_work(wake=False) as session:
            rows = (await session.execute(self._pending)).all()
            if not rows:
                self._advanced()
                self._refused_passes = 0
                return 0
            outcomes = await self._publish_rows(rows)
            done = [row.id for row, failure in zip(rows, outcomes, strict=True) if failure is None]
            if done:
                await session.execute(update(self.table).where(self.table.c.id.in_(done))
                                      .values(published_at=self.clock.now()))
            parked = await self._record_failures(session, rows, outcomes, broker_took_others=bool(done))
        refused = not done and not parked and any(not isinstance(o, NotAttempted) for o in outcomes)
        self._refused_passes = self._refused_passes + 1 if refused else 0
        if done or parked:
            self._advanced()
        if parked:
            await self.refresh_parked_count()
        await self._report_pending(complete=len(done) == len(rows) < self.batch_size)
        return len(done) + parked

    def _pending_query(self):
        """Unpublished rows in id order, but none of a case that has a parked row not yet released."""
        query = (select(self.table.c.id, self.table.c.case_id, self.table.c.payload, self.table.c.attempts)
                 .where(*self._relayable()).order_by(self.table.c.id).limit(self.batch_size))
        if not self.db.is_sqlite:
            query = query.with_for_update(of=self.table, skip_locked=True)
        return query

    async def unpublished(self) -> int:
        """Relayable rows not yet published, those another relay holds included (publish_pending
        skips rows a concurrent pass has locked, so its answer of 0 does not mean nothing is left)."""
        async with self.db.read() as session:
            return (await session.execute(select(func.count()).select_from(self.table)
                                          .where(*self._relayable()))).scalar_one()

    def _relayable(self) -> tuple:
        held = (select(self.parked.c.id).where(self.parked.c.case_id == self.table.c.case_id,
                                               self.parked.c.released_at.is_(None)))
        return self.table.c.published_at.is_(None), ~held.exists()

    async def _publish_rows(self, rows) -> list[BaseException | None]:
        """The bus's outcome for each row; a payload that is no longer a valid event fails as
        Unpublishable without reaching the bus, and the later rows of its case wait."""
        outcomes: list[BaseException | None] = [NotAttempted()] * len(rows)
        envelopes: list[Envelope] = []
        positions: list[int] = []
        broken_cases: set[str] = set()
        for position, row in enumerate(rows):
            if row.case_id in broken_cases:
                continue
            try:
                envelope = Envelope.model_validate_json(row.payload)
            except ValidationError as exc:
                outcomes[position] = Unpublishable(_describe_invalid(exc))
                broken_cases.add(row.case_id)
                continue
            envelopes.append(envelope)
            positions.append(position)
        if envelopes:
            for position, outcome in zip(positions, await self.bus.publish_many(envelopes), strict=True):
                outcomes[position] = outcome
        return outcomes

    async def _record_failures(self, session: AsyncSession, rows, outcomes, *, broker_took_others: bool) -> int:
        """Count each failed attempt on its row; park a row that can never be published, or one that
        failed PARK_AFTER_ATTEMPTS times in a row while the broker took other rows of the same pass
        (so the fault is the row's, not the broker's). Answers how many rows were parked."""
        parked = 0
        now = self.clock.now()
        failed: list[dict[str, Any]] = []
        for row, failure in zip(rows, outcomes, strict=True):
            if failure is None or isinstance(failure, NotAttempted):
                continue
            OUTBOX_PUBLISH_FAILURES.labels(service=self.service).inc()
            error = _error_text(failure)
            attempts = row.attempts + 1
            failed.append({"row_id": row.id, "error": error})
            if isinstance(failure, Unpublishable) or (broker_took_others and attempts >= PARK_AFTER_ATTEMPTS):
                envelope_type = self._row_type(row)
                await session.execute(self.parked.insert().values(
                    outbox_id=row.id, event_id=self._row_event_id(row), type=envelope_type, case_id=row.case_id,
                    error=error, attempts=attempts, parked_at=now))
                OUTBOX_PARKED_TOTAL.labels(service=self.service).inc()
                parked += 1
                log.error("outbox row parked; its case's later events wait until an operator replays it",
                          service=self.service, outbox_id=row.id, event_type=envelope_type, error=error)
        if failed:
            await session.execute(self._count_failure, failed)
            # One line a pass, not one a row: with the broker away every pass fails whole.
            log.warning("outbox publish failed; will retry", service=self.service, rows=len(failed) - parked,
                        error=failed[0]["error"])
        return parked

    def _row_type(self, row) -> str:
        return _payload_field(row.payload, "type") or "unknown"

    def _row_event_id(self, row) -> str:
        return _payload_field(row.payload, "event_id") or ""

    def _advanced(self) -> None:
        self.last_advanced = time.monotonic()
        OUTBOX_LAST_ADVANCE.labels(service=self.service).set(time.time())

    def stalled_for(self) -> float:
        """Seconds since a pass last published or parked something, or found nothing to do: a relay
        that is stuck (or gone) while rows wait grows this; an idle one polls and keeps it small."""
        return time.monotonic() - self.last_advanced

    async def stalled(self) -> str | None:
        """Why readiness should fail, or None: rows wait (none of a parked case) and the relay has
        not advanced for `stall_seconds`. Parked rows alone do not fail it: they are the metric's and
        the ops endpoint's to report, and a pod taken out of service would not publish them either."""
        idle_for = self.stalled_for()
        if idle_for < self.stall_seconds:
            return None
        async with self.db.read() as session:
            waiting = (await session.execute(select(func.count()).select_from(self.table)
                                             .where(*self._relayable()))).scalar_one()
        return f"{waiting} events waiting; relay has not advanced for {idle_for:.0f} s" if waiting else None

    async def refresh_parked_count(self) -> int:
        async with self.db.read() as session:
            count = (await session.execute(select(func.count()).select_from(self.parked)
                                           .where(self.parked.c.released_at.is_(None)))).scalar_one()
        OUTBOX_PARKED.labels(service=self.service).set(count)
        return count

    async def release(self, session: AsyncSession, event_id: str, *, by: str) -> dict | None:
        """Replay a parked row: release it and its case, and reset its attempts, in the caller's
        transaction; the commit wakes the relay, which publishes it (once) and the case's later
        events after it. None when no row of that event id is parked now."""
        row = (await session.execute(select(self.parked).where(self.parked.c.event_id == event_id,
                                                               self.parked.c.released_at.is_(None))
                                     .with_for_update())).first()
        if row is None:
            return None
        now = self.clock.now()
        await session.execute(update(self.parked).where(self.parked.c.id == row.id)
                              .values(released_at=now, released_by=by))
        await session.execute(update(self.table).where(self.table.c.id == row.outbox_id).values(attempts=0))
        session.info[OUTBOX_WRITTEN] = True
        return {**row._asdict(), "released_at": now, "released_by": by}

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


# /readyz fails when rows wait and the relay has done nothing for this long (a pass publishes within
# seconds; a broker outage shows on the bus check first).
RELAY_STALL_SECONDS = 30.0
# A row that failed this many passes in a row while the broker took other rows is parked, even for a
# failure the bus did not call permanent: retrying it for ever would hold its case for ever.
PARK_AFTER_ATTEMPTS = 20
# The relay's pause after a pass the bus refused whole, doubling while it keeps refusing.
RELAY_BACKOFF_S = 0.5
RELAY_BACKOFF_MAX_S = 5.0


def _payload_field(payload: str, name: str) -> str | None:
    try:
        value = json.loads(payload).get(name)
    except (ValueError, AttributeError):
        return None
    return value[:64] if isinstance(value, str) else None


def _describe_invalid(exc: ValidationError) -> str:
    """Where a stored payload is not a valid event, without the values (they may be personal data)."""
    problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'payload'}: {e['msg']}"
                         for e in exc.errors(include_input=False, include_url=False))
    return f"payload is not a valid event: {problems}"


def _error_text(failure: BaseException) -> str:
    return f"{type(failure).__name__}: {failure}"[:500]


def idempotent_consumer(db: Database, tables: MessagingTables, consumer: str,
                        handlers: Mapping[str, ConsumerHandler], *, clock: Clock | None = None) -> BatchHandler:
    """A batch handler applying `handlers[envelope.type](session, envelope)` so that each event_id
    takes effect once for this consumer.

    A batch is one transaction: one multi-row INSERT claims the inbox rows, then the handlers run in
    arrival order. Should any of them fail, the batch rolls back and each event is tried again in a
    transaction of its own, so one bad event fails alone and the others take effect.
    """

    # Built once: every batch runs it (executemany with RETURNING: one round trip for the batch).
    claim = (db.insert(tables.inbox).on_conflict_do_nothing(index_elements=["consumer", "event_id"])
             .returning(tables.inbox.c.event_id))
    clock = clock or SystemClock()

    async def apply(envelopes: Sequence[Envelope]) -> None:
        async with db.unit_of_work() as session:
            fresh = await _claim_inbox(session, claim, consumer, envelopes, clock.now())
            for envelope in envelopes:
                if envelope.event_id not in fresh:
                    INBOX_DUPLICATES.labels(consumer=consumer).inc()
                    continue
                fresh.discard(envelope.event_id)  # a second copy within the batch is a duplicate too
                handler = handlers.get(envelope.type)
                if handler is not None:
                    with _bound_to(envelope):
                        await handler(session, envelope)
                        # One line per event and consumer, with its correlation id: how a case is
                        # followed through the services' logs.
                        log.info("event handled", consumer=consumer)

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


async def _claim_inbox(session: AsyncSession, claim, consumer: str, envelopes: Sequence[Envelope],
                       now: datetime) -> set[str]:
    """Insert the inbox rows of the batch; the event ids that were new (not handled before)."""
    rows = [{"consumer": consumer, "event_id": event_id, "processed_at": now}
            for event_id in dict.fromkeys(e.event_id for e in envelopes)]
    return set((await session.execute(claim, rows)).scalars())


@contextmanager
def _bound_to(envelope: Envelope) -> Iterator[None]:
    """The event's correlation id and ids on every log line and on the events its handler emits."""
    token = correlation_id_var.set(envelope.correlation_id)
    trace = traceparent_var.set(envelope.traceparent)
    try:
        with structlog.contextvars.bound_contextvars(event_id=envelope.event_id, event_type=envelope.type,
                                                     case_id=envelope.case_id):
            yield
    finally:
        traceparent_var.reset(trace)
        correlation_id_var.reset(token)

"""Hand-offs to the court system: created from events, claimed by the sender, listed for readers.

The sender's claim and record run every pass: Core statements built once, no ORM rows loaded and
flushed one by one."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.notify.domain.handoff import HandoffDocument
from services.notify.store.models import Handoff
from services.notify.store.queued import HANDOFFS, queue_work
from shared.db import Database, rows_affected
from shared.pagination import after_position

# `sent`: the court took it but has not given its number yet; asking again is how we learn it.
OPEN_STATUSES = ("pending", "sent")

_HANDOFFS = Handoff.__table__


@dataclass(frozen=True)
class HandoffClaim:
    handoff_id: str
    court_code: str | None
    document: dict[str, Any]
    attempt_no: int
    correlation_id: str | None = None
    traceparent: str | None = None


async def add_handoff(session: AsyncSession, db: Database, handoff: HandoffDocument, partner_id: str | None,
                      now: datetime, correlation_id: str | None = None, traceparent: str | None = None) -> bool:
    """Insert the hand-off once (its id is derived from case and outcome); False if it already existed."""
    inserted = await rows_affected(session, db.insert(Handoff.__table__).values(
        id=handoff.id, case_id=handoff.case_id, type=handoff.type.value, court_code=handoff.court_code,
        partner_id=partner_id, document=handoff.to_json(), status="pending", attempts=0, next_attempt_at=now,
        correlation_id=correlation_id, traceparent=traceparent or None, created_at=now, updated_at=now,
    ).on_conflict_do_nothing(index_elements=["id"]))
    queue_work(session, HANDOFFS)
    return bool(inserted)


# The open hand-offs due, oldest first. SKIP LOCKED (PostgreSQL; SQLite runs one process and has no
# row locks) lets replicas claim side by side without taking the same row.
_DUE = (select(_HANDOFFS.c.id, _HANDOFFS.c.court_code, _HANDOFFS.c.document, _HANDOFFS.c.attempts,
               _HANDOFFS.c.correlation_id, _HANDOFFS.c.traceparent, _HANDOFFS.c.next_attempt_at.label("was_due"))
        .where(_HANDOFFS.c.status.in_(OPEN_STATUSES), _HANDOFFS.c.next_attempt_at <= bindparam("now"))
        .order_by(_HANDOFFS.c.next_attempt_at, _HANDOFFS.c.id)
        .limit(bindparam("limit"))
        .with_for_update(skip_locked=True))
_TAKEN = _DUE.subquery("due")
# PostgreSQL: takes the due rows and pushes their lease in one statement, returning what _DUE read.
_CLAIM = (update(_HANDOFFS).where(_HANDOFFS.c.id == _TAKEN.c.id)
          .values(next_attempt_at=bindparam("lease_until")).returning(*_TAKEN.c))
# SQLite cannot return a joined table's columns from an UPDATE: _DUE, then this.
_LEASE = (update(_HANDOFFS).where(_HANDOFFS.c.id.in_(bindparam("ids", expanding=True)))
          .values(next_attempt_at=bindparam("lease_until")))


async def claim_due(session: AsyncSession, db: Database, now: datetime, lease: timedelta,
                    limit: int) -> list[HandoffClaim]:
    """Like deliveries (store.deliveries.claim_due): the lease makes a crash mid-attempt harmless."""
    params = {"now": now, "limit": limit, "lease_until": now + lease}
    if db.is_sqlite:
        rows: Sequence[Row] = (await session.execute(_DUE, params)).all()
        if rows:
            await session.execute(_LEASE, {"ids": [row.id for row in rows], "lease_until": now + lease})
    else:
        # RETURNING keeps no order: the claims go out oldest first, as _DUE took them.
        rows = sorted((await session.execute(_CLAIM, params)).all(), key=lambda row: (row.was_due, row.id))
    return [HandoffClaim(row.id, row.court_code, dict(row.document), row.attempts + 1, row.correlation_id,
                         row.traceparent) for row in rows]


# What the worker's record reads (who the hand-off is, for its events) and writes back (RecordedHandoff).
_RECORDED = ("status", "attempts", "last_status_code", "last_error", "sent_at", "court_case_number",
             "acknowledged_at", "next_attempt_at", "updated_at")
_LOCK_RECORDED = (select(_HANDOFFS.c.id, _HANDOFFS.c.case_id, _HANDOFFS.c.type, _HANDOFFS.c.court_code,
                         *(_HANDOFFS.c[name] for name in _RECORDED))
                  .where(_HANDOFFS.c.id.in_(bindparam("ids", expanding=True))).order_by(_HANDOFFS.c.id)
                  .with_for_update())
_WRITE_RECORDED = (update(_HANDOFFS).where(_HANDOFFS.c.id == bindparam("handoff_id"))
                   .values({name: bindparam(name) for name in _RECORDED}))


@dataclass(slots=True)
class RecordedHandoff:
    """A hand-off as one worker pass records it: read under lock at the pass's start, changed in
    memory, written back at its end."""

    id: str
    case_id: str
    type: str
    court_code: str | None
    status: str
    attempts: int
    last_status_code: int | None
    last_error: str | None
    sent_at: datetime | None
    court_case_number: str | None
    acknowledged_at: datetime | None
    next_attempt_at: datetime | None
    updated_at: datetime


class HandoffRecords:
    """The hand-offs one worker pass records: changed in memory as the results come, written in one
    statement at the end (`write`)."""

    def __init__(self, handoffs: dict[str, RecordedHandoff]) -> None:
        self.handoffs = handoffs
        self.changed: dict[str, RecordedHandoff] = {}

    @classmethod
    async def lock(cls, session: AsyncSession, handoff_ids: Iterable[str]) -> HandoffRecords:
        """SELECT ... FOR UPDATE in id order, so two passes never wait on each other."""
        rows = await session.execute(_LOCK_RECORDED, {"ids": sorted(set(handoff_ids))})
        return cls({row.id: RecordedHandoff(**row._asdict()) for row in rows})

    def open(self, handoff_id: str) -> RecordedHandoff | None:
        """The hand-off to record a result on, unless it is gone or no longer open: its row is then
        left as it is."""
        handoff = self.handoffs.get(handoff_id)
        if handoff is None or handoff.status not in OPEN_STATUSES:
            return None
        self.changed[handoff_id] = handoff
        return handoff

    async def write(self, session: AsyncSession) -> None:
        if self.changed:
            await session.execute(_WRITE_RECORDED, [
                {"handoff_id": handoff.id, **{name: getattr(handoff, name) for name in _RECORDED}}
                for handoff in self.changed.values()])


async def get_handoff(session: AsyncSession, handoff_id: str, *, lock: bool = False) -> Handoff | None:
    return await session.get(Handoff, handoff_id, with_for_update=lock, populate_existing=lock)


async def list_handoffs(session: AsyncSession, *, case_id: str | None, court_code: str | None,
                        partner_id: str | None, cursor: tuple[datetime, str] | None, limit: int) -> list[Handoff]:
    query = select(Handoff)
    if case_id:
        query = query.where(Handoff.case_id == case_id)
    if court_code is not None:
        query = query.where(Handoff.court_code == court_code)
    if partner_id is not None:
        query = query.where(Handoff.partner_id == partner_id)
    if cursor:
        query = query.where(after_position(Handoff.created_at, Handoff.id, cursor))
    query = query.order_by(Handoff.created_at, Handoff.id).limit(limit + 1)
    return list((await session.execute(query)).scalars())

"""Hand-offs to the court system: created from events, claimed by the sender, listed for readers.

The sender's claim and record run every pass: Core statements built once, no ORM rows loaded and
flushed one by one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from operator import attrgetter
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.notify.domain.handoff import HandoffDocument
from services.notify.store.claiming import DueClaim
from services.notify.store.models import Handoff
from services.notify.store.pass_rows import PassRows, RecordedTable
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


# The open hand-offs due, oldest first.
_DUE = (select(_HANDOFFS.c.id, _HANDOFFS.c.court_code, _HANDOFFS.c.document, _HANDOFFS.c.attempts,
               _HANDOFFS.c.correlation_id, _HANDOFFS.c.traceparent, _HANDOFFS.c.next_attempt_at.label("was_due"))
        .where(_HANDOFFS.c.status.in_(OPEN_STATUSES), _HANDOFFS.c.next_attempt_at <= bindparam("now"))
        .order_by(_HANDOFFS.c.next_attempt_at, _HANDOFFS.c.id)
        .limit(bindparam("limit"))
        .with_for_update(skip_locked=True))
_CLAIM = DueClaim(_HANDOFFS, _DUE, "next_attempt_at", attrgetter("was_due", "id"))


async def claim_due(session: AsyncSession, db: Database, now: datetime, lease: timedelta,
                    limit: int) -> list[HandoffClaim]:
    """Take due hand-offs for one attempt each (store.claiming: the lease makes a crash mid-attempt harmless)."""
    return [HandoffClaim(row.id, row.court_code, dict(row.document), row.attempts + 1, row.correlation_id,
                         row.traceparent) for row in await _CLAIM.take(session, db, now, lease, limit)]


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


class HandoffRecords(PassRows[RecordedHandoff]):
    """The hand-offs one worker pass records (`open` the one a result is for): changed in memory as
    the results come, written in one statement at the end (`write`)."""

    # Read besides the recorded columns: who the hand-off is, for its events.
    table = RecordedTable(_HANDOFFS, RecordedHandoff, read=("case_id", "type", "court_code"), recorded=(
        "status", "attempts", "last_status_code", "last_error", "sent_at", "court_case_number", "acknowledged_at",
        "next_attempt_at", "updated_at"))
    open_statuses = OPEN_STATUSES


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

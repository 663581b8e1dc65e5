"""Webhook messages and their deliveries: fan-out, claiming due work, the attempt log, retry and replay.

The fan-out runs for every event, the worker's claim and record for every pass: their statements
are Core, built once (loading and flushing ORM rows, and compiling statements built anew per call,
was most of their cost)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from operator import attrgetter
from typing import Any

from sqlalchemy import ColumnElement, and_, bindparam, exists, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.notify.store.claiming import DueClaim
from services.notify.store.models import Delivery, DeliveryAttempt, WebhookEndpoint, WebhookMessage
from services.notify.store.pass_rows import RecordedTable
from services.notify.store.queued import WEBHOOKS, queue_work
from shared.db import Database, rows_affected
from shared.pagination import after_position

DELIVERY_STATUSES = ("pending", "succeeded", "failed", "dead")
REPLAYABLE = ("failed", "dead")

_DELIVERIES = Delivery.__table__
_ENDPOINTS = WebhookEndpoint.__table__
_MESSAGES = WebhookMessage.__table__
_ADD_DELIVERIES: dict[bool, Any] = {}


@dataclass(frozen=True)
class Claim:
    """A delivery taken for one attempt; everything the attempt needs, read in the claiming transaction."""

    delivery_id: str
    endpoint_id: str
    webhook_id: str
    url: str
    body: str
    secret: str
    previous_secret: str | None
    rotated_at: datetime | None
    attempt_no: int
    correlation_id: str | None = None
    traceparent: str | None = None


async def add_message(session: AsyncSession, db: Database, *, message_id: str, event_id: str, event_type: str,
                      case_id: str, occurred_at: datetime, body: str, now: datetime,
                      correlation_id: str | None = None, traceparent: str | None = None) -> tuple[int, str]:
    """The (seq, webhook id) of the event's message, stored once whatever the redeliveries."""
    inserted = await session.execute(db.insert(WebhookMessage.__table__).values(
        id=message_id, event_id=event_id, event_type=event_type, case_id=case_id, occurred_at=occurred_at,
        body=body, correlation_id=correlation_id, traceparent=traceparent or None, created_at=now)
        .on_conflict_do_nothing(index_elements=["event_id"])
        .returning(WebhookMessage.seq, WebhookMessage.id))
    row = inserted.first() or (await session.execute(select(WebhookMessage.seq, WebhookMessage.id)
                                                     .where(WebhookMessage.event_id == event_id))).one()
    return row[0], row[1]


async def add_deliveries(session: AsyncSession, db: Database, *, message_seq: int, webhook_id: str, event_type: str,
                         case_id: str, occurred_at: datetime, endpoints: list, now: datetime) -> int:
    """One pending delivery per endpoint, in one statement."""
    if not endpoints:
        return 0
    await session.execute(_delivery_insert(db), [
        dict(id=str(uuid.uuid4()), endpoint_id=endpoint.id, message_seq=message_seq, webhook_id=webhook_id,
             event_type=event_type, case_id=case_id, occurred_at=occurred_at, status="pending", attempts=0,
             round_failures=0, next_attempt_at=now, created_at=now, updated_at=now)
        for endpoint in endpoints])
    queue_work(session, WEBHOOKS)
    return len(endpoints)


def _delivery_insert(db: Database) -> Any:
    """Built once per dialect and run with one parameter set per endpoint: a multi-row VALUES would be
    compiled anew for every event."""
    if db.is_sqlite not in _ADD_DELIVERIES:
        _ADD_DELIVERIES[db.is_sqlite] = (db.insert(_DELIVERIES)
                                         .on_conflict_do_nothing(index_elements=["endpoint_id", "message_seq"]))
    return _ADD_DELIVERIES[db.is_sqlite]


def _not_behind_an_earlier_one() -> ColumnElement[bool]:
    """No earlier event of the same case is still waiting for the same endpoint (order per case)."""
    earlier, this = _DELIVERIES.alias("earlier"), _DELIVERIES.c
    return ~exists().where(
        earlier.c.endpoint_id == this.endpoint_id,
        earlier.c.case_id == this.case_id,
        earlier.c.status == "pending",
        or_(earlier.c.occurred_at < this.occurred_at,
            and_(earlier.c.occurred_at == this.occurred_at, earlier.c.message_seq < this.message_seq)),
    )


# The due deliveries, oldest first, with what their attempts need of their endpoint and message;
# only the deliveries are locked.
_DUE = (select(_DELIVERIES.c.id, _DELIVERIES.c.endpoint_id, _DELIVERIES.c.webhook_id, _DELIVERIES.c.attempts,
               _DELIVERIES.c.message_seq, _DELIVERIES.c.next_attempt_at.label("was_due"), _ENDPOINTS.c.url,
               _ENDPOINTS.c.secret, _ENDPOINTS.c.previous_secret, _ENDPOINTS.c.rotated_at, _MESSAGES.c.body,
               _MESSAGES.c.correlation_id, _MESSAGES.c.traceparent)
        .select_from(_DELIVERIES.join(_ENDPOINTS, _ENDPOINTS.c.id == _DELIVERIES.c.endpoint_id)
                     .join(_MESSAGES, _MESSAGES.c.seq == _DELIVERIES.c.message_seq))
        .where(_DELIVERIES.c.status == "pending", _DELIVERIES.c.next_attempt_at <= bindparam("now"),
               _ENDPOINTS.c.enabled.is_(True), _not_behind_an_earlier_one())
        .order_by(_DELIVERIES.c.next_attempt_at, _DELIVERIES.c.message_seq)
        .limit(bindparam("limit"))
        .with_for_update(skip_locked=True, of=_DELIVERIES))
_CLAIM = DueClaim(_DELIVERIES, _DUE, "next_attempt_at", attrgetter("was_due", "message_seq"))


async def claim_due(session: AsyncSession, db: Database, now: datetime, lease: timedelta, limit: int) -> list[Claim]:
    """Take due deliveries for one attempt each (store.claiming: a claimed row stays `pending` with
    its next attempt pushed past the lease)."""
    return [Claim(row.id, row.endpoint_id, row.webhook_id, row.url, row.body, row.secret, row.previous_secret,
                  row.rotated_at, row.attempts + 1, row.correlation_id, row.traceparent)
            for row in await _CLAIM.take(session, db, now, lease, limit)]


_LOG_ATTEMPTS = insert(DeliveryAttempt.__table__)


@dataclass(slots=True)
class RecordedDelivery:
    """A delivery as one worker pass records it: read under lock at the pass's start, changed in
    memory, written back at its end."""

    id: str
    endpoint_id: str
    status: str
    attempts: int
    round_failures: int
    next_attempt_at: datetime | None
    last_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    delivered_at: datetime | None
    updated_at: datetime


# What the worker's record reads (the endpoint, for its health) and writes back of a delivery.
_RECORDED = RecordedTable(_DELIVERIES, RecordedDelivery, read=("endpoint_id",), recorded=(
    "status", "attempts", "round_failures", "next_attempt_at", "last_attempt_at", "last_status_code", "last_error",
    "delivered_at", "updated_at"))


class DeliveryRecords:
    """The deliveries one worker pass records and their attempt log: changed in memory as the results
    come, written in two statements at the end (`write`)."""

    def __init__(self, deliveries: dict[str, RecordedDelivery]) -> None:
        self.deliveries = deliveries
        self.attempts: list[dict[str, Any]] = []

    @classmethod
    async def lock(cls, session: AsyncSession, delivery_ids: Iterable[str]) -> DeliveryRecords:
        return cls(await _RECORDED.lock(session, delivery_ids))

    def log_attempt(self, delivery_id: str, *, attempt_no: int, at: datetime, status_code: int | None,
                    error: str | None, response_body: str, duration_ms: int) -> RecordedDelivery:
        """The attempt goes in the log and is the delivery's last; answers the delivery, for the rest
        of its record."""
        delivery = self.deliveries[delivery_id]
        self.attempts.append(dict(delivery_id=delivery_id, attempt_no=attempt_no, attempted_at=at,
                                  status_code=status_code, error=error, response_body=response_body,
                                  duration_ms=duration_ms))
        delivery.attempts = max(delivery.attempts, attempt_no)
        delivery.last_attempt_at = at
        delivery.last_status_code = status_code
        delivery.last_error = error
        delivery.updated_at = at
        return delivery

    def bury(self, endpoint_id: str, last_error: str, now: datetime) -> None:
        """The pass's own deliveries still waiting for an endpoint it switched off are dead, as
        store.endpoints.write_health marks the others."""
        for delivery in self.deliveries.values():
            if delivery.endpoint_id == endpoint_id and delivery.status == "pending":
                delivery.status, delivery.next_attempt_at = "dead", None
                delivery.last_error, delivery.updated_at = last_error, now

    async def write(self, session: AsyncSession) -> None:
        """Every attempt in one INSERT, every delivery recorded in one UPDATE (both executemany)."""
        if self.attempts:
            await session.execute(_LOG_ATTEMPTS, self.attempts)
        await _RECORDED.write(session, self.deliveries.values())


async def get_delivery(session: AsyncSession, delivery_id: str, *, lock: bool = False) -> Delivery | None:
    return await session.get(Delivery, delivery_id, with_for_update=lock, populate_existing=lock)


def restart(session: AsyncSession, delivery: Delivery, now: datetime) -> None:
    """Send again now, with a fresh retry schedule (manual retry and replay)."""
    queue_work(session, WEBHOOKS)
    delivery.status = "pending"
    delivery.next_attempt_at = now
    delivery.round_failures = 0
    delivery.updated_at = now


async def replay_since(session: AsyncSession, *, since: datetime, endpoint_ids: list[str], now: datetime) -> int:
    """Restart every failed or dead delivery created since `since` to these (enabled) endpoints."""
    if not endpoint_ids:
        return 0
    queue_work(session, WEBHOOKS)
    return await rows_affected(
        session, update(Delivery)
        .where(Delivery.endpoint_id.in_(endpoint_ids), Delivery.status.in_(REPLAYABLE), Delivery.created_at >= since)
        .values(status="pending", next_attempt_at=now, round_failures=0, updated_at=now))


async def list_deliveries(session: AsyncSession, *, partner_id: str | None, endpoint_id: str | None,
                          status: str | None, cursor: tuple[datetime, str] | None, limit: int) -> list[Delivery]:
    """Newest deliveries last; `partner_id` restricts to that partner's endpoints (None: ops, all)."""
    query = select(Delivery)
    if partner_id is not None:
        query = query.join(WebhookEndpoint, WebhookEndpoint.id == Delivery.endpoint_id).where(
            WebhookEndpoint.partner_id == partner_id)
    if endpoint_id:
        query = query.where(Delivery.endpoint_id == endpoint_id)
    if status:
        query = query.where(Delivery.status == status)
    if cursor:
        query = query.where(after_position(Delivery.created_at, Delivery.id, cursor))
    query = query.order_by(Delivery.created_at, Delivery.id).limit(limit + 1)
    return list((await session.execute(query)).scalars())


async def attempts_of(session: AsyncSession, delivery_ids: list[str]) -> dict[str, list[DeliveryAttempt]]:
    found: dict[str, list[DeliveryAttempt]] = {i: [] for i in delivery_ids}
    if not delivery_ids:
        return found
    rows = await session.execute(select(DeliveryAttempt).where(DeliveryAttempt.delivery_id.in_(delivery_ids))
                                 .order_by(DeliveryAttempt.id))
    for attempt in rows.scalars():
        found[attempt.delivery_id].append(attempt)
    return found

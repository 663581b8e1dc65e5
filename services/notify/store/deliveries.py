"""Webhook messages and their deliveries: fan-out, claiming due work, the attempt log, retry and replay."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from services.notify.store.models import Delivery, DeliveryAttempt, WebhookEndpoint, WebhookMessage
from services.notify.store.queued import WEBHOOKS, queue_work
from shared.db import Database, rows_affected
from shared.pagination import after_position

DELIVERY_STATUSES = ("pending", "succeeded", "failed", "dead")
REPLAYABLE = ("failed", "dead")

_DELIVERIES = Delivery.__table__
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


def _not_behind_an_earlier_one():
    """No earlier event of the same case is still waiting for the same endpoint (order per case)."""
    earlier = aliased(Delivery)
    return ~exists().where(
        earlier.endpoint_id == Delivery.endpoint_id,
        earlier.case_id == Delivery.case_id,
        earlier.status == "pending",
        or_(earlier.occurred_at < Delivery.occurred_at,
            and_(earlier.occurred_at == Delivery.occurred_at, earlier.message_seq < Delivery.message_seq)),
    )


async def claim_due(session: AsyncSession, db: Database, now: datetime, lease: timedelta, limit: int) -> list[Claim]:
    """Take due deliveries for one attempt each.

    A claimed row stays `pending` with its next attempt pushed past the lease: if this process dies
    during the attempt, the row simply falls due again. On PostgreSQL, SKIP LOCKED lets replicas
    claim side by side without taking the same row.
    """
    query = (select(Delivery, WebhookEndpoint, WebhookMessage.body, WebhookMessage.correlation_id,
                    WebhookMessage.traceparent)
             .join(WebhookEndpoint, WebhookEndpoint.id == Delivery.endpoint_id)
             .join(WebhookMessage, WebhookMessage.seq == Delivery.message_seq)
             .where(Delivery.status == "pending", Delivery.next_attempt_at <= now,
                    WebhookEndpoint.enabled.is_(True), _not_behind_an_earlier_one())
             .order_by(Delivery.next_attempt_at, Delivery.message_seq)
             .limit(limit))
    if not db.is_sqlite:
        query = query.with_for_update(skip_locked=True, of=Delivery)
    claims = []
    for delivery, endpoint, body, correlation_id, traceparent in (await session.execute(query)).all():
        delivery.next_attempt_at = now + lease
        claims.append(Claim(delivery.id, endpoint.id, delivery.webhook_id, endpoint.url, body, endpoint.secret,
                            endpoint.previous_secret, endpoint.rotated_at, delivery.attempts + 1, correlation_id,
                            traceparent))
    return claims


def log_attempt(session: AsyncSession, delivery: Delivery, *, attempt_no: int, at: datetime,
                status_code: int | None, error: str | None, response_body: str, duration_ms: int) -> None:
    session.add(DeliveryAttempt(delivery_id=delivery.id, attempt_no=attempt_no, attempted_at=at,
                                status_code=status_code, error=error, response_body=response_body,
                                duration_ms=duration_ms))
    delivery.attempts = max(delivery.attempts, attempt_no)
    delivery.last_attempt_at = at
    delivery.last_status_code = status_code
    delivery.last_error = error
    delivery.updated_at = at


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

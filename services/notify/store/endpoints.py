"""Webhook endpoints: registration, ownership, secret rotation, and their health.

Which endpoints hear an event is asked once per event: that statement is Core, built once."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Row, bindparam, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.notify.domain.retry import failing_reason, should_disable_endpoint
from services.notify.domain.signing import new_secret
from services.notify.store.models import Delivery, WebhookEndpoint
from shared.pagination import after_position

_ENDPOINTS = WebhookEndpoint.__table__
_SUBSCRIBED = (select(_ENDPOINTS.c.id, _ENDPOINTS.c.partner_id, _ENDPOINTS.c.event_types)
               .where(_ENDPOINTS.c.enabled.is_(True), _ENDPOINTS.c.deleted_at.is_(None),
                      or_(_ENDPOINTS.c.partner_id.is_(None),
                          _ENDPOINTS.c.partner_id.in_(bindparam("partners", expanding=True))))
               .order_by(_ENDPOINTS.c.created_at, _ENDPOINTS.c.id))


async def create_endpoint(session: AsyncSession, *, partner_id: str | None, url: str, event_types: list[str],
                          created_by: str, now: datetime) -> WebhookEndpoint:
    endpoint = WebhookEndpoint(
        id=str(uuid.uuid4()), partner_id=partner_id, url=url, event_types=list(event_types),
        secret=new_secret(), enabled=True, consecutive_failures=0, created_by=created_by,
        created_at=now, updated_at=now)
    session.add(endpoint)
    await session.flush()
    return endpoint


async def get_endpoint(session: AsyncSession, endpoint_id: str, *, lock: bool = False) -> WebhookEndpoint | None:
    endpoint = await session.get(WebhookEndpoint, endpoint_id, with_for_update=lock, populate_existing=lock)
    return None if endpoint is None or endpoint.deleted_at is not None else endpoint


async def list_endpoints(session: AsyncSession, *, partner_id: str | None, cursor: tuple[datetime, str] | None,
                         limit: int) -> list[WebhookEndpoint]:
    """`partner_id` None lists every endpoint (ops)."""
    query = select(WebhookEndpoint).where(WebhookEndpoint.deleted_at.is_(None))
    if partner_id is not None:
        query = query.where(WebhookEndpoint.partner_id == partner_id)
    if cursor:
        query = query.where(after_position(WebhookEndpoint.created_at, WebhookEndpoint.id, cursor))
    query = query.order_by(WebhookEndpoint.created_at, WebhookEndpoint.id).limit(limit + 1)
    return list((await session.execute(query)).scalars())


async def subscribed_endpoints(session: AsyncSession, concerned: frozenset[str]) -> list[Row]:
    """(id, partner_id, event_types) of the enabled endpoints of ops and of the concerned partners
    (event types are filtered by the caller). Columns, not entities: this runs for every event."""
    return list((await session.execute(_SUBSCRIBED, {"partners": sorted(concerned)})).all())


async def enabled_endpoint_ids(session: AsyncSession, partner_id: str | None) -> list[str]:
    """Ids of every enabled endpoint, or of one partner's (`partner_id` None: all, for ops)."""
    query = select(WebhookEndpoint.id).where(WebhookEndpoint.enabled.is_(True), WebhookEndpoint.deleted_at.is_(None))
    if partner_id is not None:
        query = query.where(WebhookEndpoint.partner_id == partner_id)
    return list((await session.execute(query)).scalars())


def rotate_secret(endpoint: WebhookEndpoint, now: datetime) -> None:
    """The old secret keeps signing alongside the new one for the overlap (domain.signing)."""
    endpoint.previous_secret, endpoint.secret = endpoint.secret, new_secret()
    endpoint.rotated_at = now
    endpoint.updated_at = now


async def disable_endpoint(session: AsyncSession, endpoint: WebhookEndpoint, reason: str, now: datetime) -> None:
    """Stop delivering to it; what was still waiting is marked dead with the reason, for replay later."""
    endpoint.enabled = False
    endpoint.disabled_reason = reason
    endpoint.disabled_at = now
    endpoint.updated_at = now
    await session.execute(
        update(Delivery).where(Delivery.endpoint_id == endpoint.id, Delivery.status == "pending")
        .values(status="dead", next_attempt_at=None, last_error=f"endpoint disabled: {reason}", updated_at=now))


async def delete_endpoint(session: AsyncSession, endpoint: WebhookEndpoint, now: datetime) -> None:
    """Kept as a row (its delivery log stays readable for ops) but gone from the API and from delivery."""
    await disable_endpoint(session, endpoint, "the endpoint was deleted", now)
    endpoint.deleted_at = now


def enable_endpoint(endpoint: WebhookEndpoint, now: datetime) -> None:
    endpoint.enabled = True
    endpoint.disabled_reason = None
    endpoint.disabled_at = None
    endpoint.first_failure_at = None
    endpoint.consecutive_failures = 0
    endpoint.updated_at = now


def record_success(endpoint: WebhookEndpoint, now: datetime) -> None:
    if endpoint.consecutive_failures or endpoint.first_failure_at:
        endpoint.consecutive_failures = 0
        endpoint.first_failure_at = None
        endpoint.updated_at = now


async def record_failure(session: AsyncSession, endpoint: WebhookEndpoint, now: datetime) -> bool:
    """Count a failed attempt; True when that switched the endpoint off (failing for days)."""
    endpoint.consecutive_failures = (endpoint.consecutive_failures or 0) + 1
    endpoint.first_failure_at = endpoint.first_failure_at or now
    endpoint.updated_at = now
    if endpoint.enabled and should_disable_endpoint(endpoint.first_failure_at, now, endpoint.consecutive_failures):
        await disable_endpoint(session, endpoint,
                               failing_reason(endpoint.first_failure_at, endpoint.consecutive_failures), now)
        return True
    return False

"""Webhook endpoints: registration, ownership, secret rotation, and their health.

Which endpoints hear an event is asked once per event, and the webhook worker keeps their health
once per pass: those statements are Core, built once (the API's rarer changes stay ORM)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Row, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.notify.domain.retry import failing_reason, should_disable_endpoint
from services.notify.domain.signing import new_secret
from services.notify.store.models import Delivery, WebhookEndpoint
from shared.db import read_once
from shared.pagination import after_position

_ENDPOINTS = WebhookEndpoint.__table__
_DELIVERIES = Delivery.__table__
_ENABLED = (select(_ENDPOINTS.c.id, _ENDPOINTS.c.partner_id, _ENDPOINTS.c.event_types)
            .where(_ENDPOINTS.c.enabled.is_(True), _ENDPOINTS.c.deleted_at.is_(None))
            .order_by(_ENDPOINTS.c.created_at, _ENDPOINTS.c.id))
# Where a transaction keeps the enabled endpoints it read (session.info).
_ENABLED_READ = "notify.enabled_endpoints"
# The columns of an endpoint's health (EndpointHealth) the webhook worker reads and writes back.
_HEALTH = ("enabled", "disabled_reason", "disabled_at", "first_failure_at", "consecutive_failures", "updated_at")
# FOR NO KEY UPDATE: the consumer's new deliveries hold KEY SHARE on their endpoint (foreign key);
# FOR UPDATE would wait on them, and they on us. In id order, so two passes never wait on each other.
_LOCK_HEALTH = (select(_ENDPOINTS.c.id, *(_ENDPOINTS.c[name] for name in _HEALTH))
                .where(_ENDPOINTS.c.id.in_(bindparam("ids", expanding=True))).order_by(_ENDPOINTS.c.id)
                .with_for_update(key_share=True))
_WRITE_HEALTH = (update(_ENDPOINTS).where(_ENDPOINTS.c.id == bindparam("endpoint_id"))
                 .values({name: bindparam(name) for name in _HEALTH}))
_BURY_PENDING = (update(_DELIVERIES)
                 .where(_DELIVERIES.c.endpoint_id == bindparam("of_endpoint"), _DELIVERIES.c.status == "pending")
                 .values(status="dead", next_attempt_at=None, last_error=bindparam("dead_reason"),
                         updated_at=bindparam("now")))


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
    (event types are filtered by the caller).

    This runs for every event, and a consumer's transaction handles a batch of them: the enabled
    endpoints (a few per partner, the city's 35 partners and ops) are read once per transaction and
    kept in it; an endpoint enabled or disabled meanwhile counts from the next batch on, as it
    would had the batch been handled a moment earlier."""
    async def read() -> list[Row]:
        return list((await session.execute(_ENABLED)).all())

    enabled = await read_once(session, _ENABLED_READ, read)
    return [e for e in enabled if e.partner_id is None or e.partner_id in concerned]


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
    await session.execute(_BURY_PENDING, {"of_endpoint": endpoint.id, "dead_reason": dead_reason(reason), "now": now})


def dead_reason(reason: str) -> str:
    """The last error of a delivery that died with its endpoint."""
    return f"endpoint disabled: {reason}"


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


@dataclass(slots=True)
class EndpointHealth:
    """An endpoint's health as one webhook worker pass keeps it: locked and read at the pass's start,
    changed in memory by its results in the order they came, written once at its end (write_health)."""

    id: str
    enabled: bool
    disabled_reason: str | None
    disabled_at: datetime | None
    first_failure_at: datetime | None
    consecutive_failures: int
    updated_at: datetime
    changed: bool = False
    # Set when the pass switched it off: the last error of the deliveries still waiting for it.
    buried_with: str | None = None


async def lock_health(session: AsyncSession, endpoint_ids: Iterable[str]) -> dict[str, EndpointHealth]:
    rows = await session.execute(_LOCK_HEALTH, {"ids": sorted(set(endpoint_ids))})
    return {row.id: EndpointHealth(**row._asdict()) for row in rows}


def record_success(endpoint: EndpointHealth, now: datetime) -> None:
    if endpoint.consecutive_failures or endpoint.first_failure_at:
        endpoint.consecutive_failures = 0
        endpoint.first_failure_at = None
        _changed(endpoint, now)


def record_failure(endpoint: EndpointHealth, now: datetime) -> str | None:
    """Count a failed attempt; when that makes the endpoint one failing for days, the reason to
    switch it off (`switch_off`)."""
    endpoint.consecutive_failures = (endpoint.consecutive_failures or 0) + 1
    endpoint.first_failure_at = endpoint.first_failure_at or now
    _changed(endpoint, now)
    if endpoint.enabled and should_disable_endpoint(endpoint.first_failure_at, now, endpoint.consecutive_failures):
        return failing_reason(endpoint.first_failure_at, endpoint.consecutive_failures)
    return None


def switch_off(endpoint: EndpointHealth, reason: str, now: datetime) -> None:
    """disable_endpoint within a pass: write_health marks what still waits for it dead. The pass's
    own deliveries are the caller's to mark (their rows are written with the pass's results)."""
    endpoint.enabled = False
    endpoint.disabled_reason = reason
    endpoint.disabled_at = now
    # Once per pass: a second switch-off would find nothing left waiting.
    endpoint.buried_with = endpoint.buried_with or dead_reason(reason)
    _changed(endpoint, now)


def _changed(endpoint: EndpointHealth, now: datetime) -> None:
    endpoint.updated_at = now
    endpoint.changed = True


async def write_health(session: AsyncSession, endpoints: Iterable[EndpointHealth]) -> None:
    """The pass's changes in one UPDATE, and for the endpoints it switched off, the deliveries still
    waiting for them marked dead in one more."""
    changed = [endpoint for endpoint in endpoints if endpoint.changed]
    if changed:
        await session.execute(_WRITE_HEALTH, [
            {"endpoint_id": endpoint.id, **{name: getattr(endpoint, name) for name in _HEALTH}}
            for endpoint in changed])
    buried = [{"of_endpoint": endpoint.id, "dead_reason": endpoint.buried_with, "now": endpoint.disabled_at}
              for endpoint in changed if endpoint.buried_with]
    if buried:
        await session.execute(_BURY_PENDING, buried)

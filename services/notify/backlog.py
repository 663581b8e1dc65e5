"""Notify's backlog gauges (shared/backlog.py): pending deliveries, disabled endpoints, hand-offs
the court has not acknowledged. Counts by status only: no endpoint, partner or case in a label."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import func, select

from services.notify.metrics import (
    DELIVERIES_PENDING,
    DELIVERY_OLDEST_PENDING_AGE,
    ENDPOINTS_DISABLED_NOW,
    HANDOFF_OLDEST_UNACKNOWLEDGED_AGE,
    HANDOFFS_WAITING,
)
from services.notify.store.handoffs import OPEN_STATUSES
from services.notify.store.models import Delivery, Handoff, WebhookEndpoint
from shared.backlog import Sample, age_seconds
from shared.db import Database


def notify_samples(db: Database, now: Callable[[], datetime]) -> list[Sample]:
    async def deliveries() -> None:
        async with db.read() as session:
            count, oldest = (await session.execute(
                select(func.count(), func.min(Delivery.created_at)).where(Delivery.status == "pending"))).one()
            disabled = (await session.execute(
                select(func.count()).select_from(WebhookEndpoint)
                .where(WebhookEndpoint.enabled.is_(False), WebhookEndpoint.deleted_at.is_(None)))).scalar_one()
        DELIVERIES_PENDING.set(count)
        DELIVERY_OLDEST_PENDING_AGE.set(age_seconds(oldest, now()))
        ENDPOINTS_DISABLED_NOW.set(disabled)

    async def handoffs() -> None:
        async with db.read() as session:
            rows = (await session.execute(
                select(Handoff.status, func.count(), func.min(Handoff.created_at))
                .where(Handoff.status.in_(OPEN_STATUSES)).group_by(Handoff.status))).all()
        oldest = min((row[2] for row in rows if row[2] is not None), default=None)
        for state in OPEN_STATUSES:
            HANDOFFS_WAITING.labels(state=state).set(sum(row[1] for row in rows if row[0] == state))
        HANDOFF_OLDEST_UNACKNOWLEDGED_AGE.set(age_seconds(oldest, now()))

    return [deliveries, handoffs]

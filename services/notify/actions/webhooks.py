"""Webhook fan-out: one message per event (the body fixed now, `webhook-id` from the event id) and
one delivery per endpoint that subscribed to the event's type and is concerned by the case
(domain/audience.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.notify.domain.audience import concerned_partners, endpoint_wants
from services.notify.domain.payload import message_id, webhook_body
from services.notify.store import deliveries as delivery_store
from services.notify.store import endpoints as endpoint_store
from services.notify.store.models import CaseFacts
from shared.events import Envelope


async def fan_out(session: AsyncSession, rt, envelope: Envelope, facts: CaseFacts, now: datetime) -> None:
    concerned = concerned_partners(envelope.data, facts.partner_id)
    endpoints = [e for e in await endpoint_store.subscribed_endpoints(session, concerned)
                 if endpoint_wants(e.partner_id, e.event_types, envelope.type, concerned)]
    if not endpoints:
        return
    body = webhook_body(envelope.type, envelope.event_id, envelope.case_id, envelope.occurred_at, envelope.data)
    seq, webhook_id = await delivery_store.add_message(
        session, rt.db, message_id=message_id(envelope.event_id), event_id=envelope.event_id,
        event_type=envelope.type, case_id=envelope.case_id, occurred_at=envelope.occurred_at, body=body, now=now,
        correlation_id=envelope.correlation_id, traceparent=envelope.traceparent)
    await delivery_store.add_deliveries(session, rt.db, message_seq=seq, webhook_id=webhook_id,
                                        event_type=envelope.type, case_id=envelope.case_id,
                                        occurred_at=envelope.occurred_at, endpoints=endpoints, now=now)

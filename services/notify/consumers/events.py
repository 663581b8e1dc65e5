"""Takes in every event and turns it into notify's work: webhook deliveries to the partners and ops
concerned, the hand-off the court must get, and notices to the parties.

All of it is written in the consumer's transaction, next to the inbox row: an event takes effect
exactly once, and nothing is sent from here. The workers send what this writes (the commit wakes them).
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.notify.domain.audience import concerned_partners, endpoint_wants
from services.notify.domain.handoff import build_handoff
from services.notify.domain.notice_plan import (DEADLINE_EVENTS, ENDING_EVENTS, PAUSE_EVENTS, confirmation_notice_due,
                                                deadline_notice_due, notice_context, notice_kind, plan_notices)
from services.notify.domain.notices import NoticeKind
from services.notify.domain.payload import message_id, webhook_body
from services.notify.store import deliveries as delivery_store
from services.notify.store import endpoints as endpoint_store
from services.notify.store import facts as facts_store
from services.notify.store import handoffs as handoff_store
from services.notify.store import notices as notice_store
from services.notify.store.models import CaseFacts
from shared.events import EVENT_TYPES, Envelope
from shared.messaging import ConsumerHandler
from shared.logging import get_logger

log = get_logger("notify.consumer")


class EventConsumer:
    def __init__(self, runtime) -> None:
        self.rt = runtime

    def handlers(self) -> dict[str, ConsumerHandler]:
        """Notify's handler table: every event may concern a partner's webhooks, a hand-off or a notice."""
        return {event_type: self.on_event for event_type in EVENT_TYPES}

    async def on_event(self, session: AsyncSession, envelope: Envelope) -> None:
        now = self.rt.clock.now()
        facts = await facts_store.record_facts(session, self.rt.db, envelope, now)
        await self.fan_out_webhooks(session, envelope, facts, now)
        await self.create_handoff(session, envelope, facts, now)
        await self.queue_notices(session, envelope, facts, now)

    async def fan_out_webhooks(self, session: AsyncSession, envelope: Envelope, facts: CaseFacts, now) -> None:
        concerned = concerned_partners(envelope.data, facts.partner_id)
        endpoints = [e for e in await endpoint_store.subscribed_endpoints(session, concerned)
                     if endpoint_wants(e.partner_id, e.event_types, envelope.type, concerned)]
        if not endpoints:
            return
        body = webhook_body(envelope.type, envelope.event_id, envelope.case_id, envelope.occurred_at, envelope.data)
        seq, webhook_id = await delivery_store.add_message(
            session, self.rt.db, message_id=message_id(envelope.event_id), event_id=envelope.event_id,
            event_type=envelope.type, case_id=envelope.case_id, occurred_at=envelope.occurred_at, body=body, now=now,
            correlation_id=envelope.correlation_id, traceparent=envelope.traceparent)
        await delivery_store.add_deliveries(session, self.rt.db, message_seq=seq, webhook_id=webhook_id,
                                            event_type=envelope.type, case_id=envelope.case_id,
                                            occurred_at=envelope.occurred_at, endpoints=endpoints, now=now)

    async def create_handoff(self, session: AsyncSession, envelope: Envelope, facts: CaseFacts, now) -> None:
        # The event's own words win over what notify remembered of the case.
        merged = {**facts_store.facts_dict(facts), **envelope.data, "case_id": envelope.case_id,
                  "event_id": envelope.event_id, "occurred_at": envelope.occurred_at}
        for key in ("court_code", "stage", "mode", "case_number", "court_case_number", "category"):
            if merged.get(key) is None:
                merged[key] = getattr(facts, key)
        handoff = build_handoff(envelope.type, merged)
        if handoff is None:
            return
        if await handoff_store.add_handoff(session, self.rt.db, handoff, facts.partner_id, now,
                                           correlation_id=envelope.correlation_id, traceparent=envelope.traceparent):
            log.info("hand-off queued", case_id=envelope.case_id, handoff_id=handoff.id, handoff_type=handoff.type.value)

    async def queue_notices(self, session: AsyncSession, envelope: Envelope, facts: CaseFacts, now) -> None:
        if envelope.type in ENDING_EVENTS or envelope.type in DEADLINE_EVENTS or envelope.type in PAUSE_EVENTS:
            await notice_store.cancel_pending(session, envelope.case_id, NoticeKind.DEADLINE_NEAR,
                                              f"superseded by {envelope.type}")
        await self.queue_confirmation_reminder(session, envelope, facts, now)
        kind = notice_kind(envelope.type)
        if kind is None:
            return
        due_at = now
        if kind is NoticeKind.DEADLINE_NEAR:
            due_at = deadline_notice_due(envelope.data)
            if due_at is None:
                return
        recipients = await facts_store.recipients_of(session, envelope.case_id)
        context = notice_context(kind, facts_store.facts_dict(facts), envelope.data)
        planned = plan_notices(kind, context, recipients)
        await notice_store.add_notices(session, self.rt.db, case_id=envelope.case_id, event_id=envelope.event_id,
                                       planned=planned, due_at=max(due_at, now), now=now)

    async def queue_confirmation_reminder(self, session: AsyncSession, envelope: Envelope, facts: CaseFacts,
                                          now) -> None:
        """A settlement that opened the 30 days to apply for judicial confirmation (民事诉讼法 Art 205):
        the parties are reminded before they close, on the date mediation computed (Art 85 applied)."""
        due_at = confirmation_notice_due(envelope.data) if envelope.type == "mediation.settled" else None
        if due_at is None:
            return
        recipients = await facts_store.recipients_of(session, envelope.case_id)
        context = notice_context(NoticeKind.CONFIRMATION_CLOSING, facts_store.facts_dict(facts), envelope.data)
        planned = plan_notices(NoticeKind.CONFIRMATION_CLOSING, context, recipients)
        await notice_store.add_notices(session, self.rt.db, case_id=envelope.case_id, event_id=envelope.event_id,
                                       planned=planned, due_at=max(due_at, now), now=now)

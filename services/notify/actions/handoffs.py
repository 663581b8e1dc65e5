"""The hand-off to the court an outcome calls for (shared/handoff_table.py through
domain/handoff.build_handoff), queued for the hand-off worker; one per case and outcome."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.notify.domain.handoff import build_handoff
from services.notify.store import facts as facts_store
from services.notify.store import handoffs as handoff_store
from services.notify.store.models import CaseFacts
from shared.events import Envelope
from shared.logging import get_logger

log = get_logger("notify.handoffs")
_REMEMBERED = ("court_code", "stage", "mode", "case_number", "court_case_number", "category")


async def hand_off_to_court(session: AsyncSession, rt, envelope: Envelope, facts: CaseFacts, now: datetime) -> None:
    # The event's own words win over what notify remembered of the case.
    merged = {**facts_store.facts_dict(facts), **envelope.data, "case_id": envelope.case_id,
              "event_id": envelope.event_id, "occurred_at": envelope.occurred_at}
    for key in _REMEMBERED:
        if merged.get(key) is None:
            merged[key] = getattr(facts, key)
    handoff = build_handoff(envelope.type, merged)
    if handoff is None:
        return  # nothing for the court (a self-mediation that ended unresolved, say)
    if await handoff_store.add_handoff(session, rt.db, handoff, facts.partner_id, now,
                                       correlation_id=envelope.correlation_id, traceparent=envelope.traceparent):
        log.info("hand-off queued", case_id=envelope.case_id, handoff_id=handoff.id, handoff_type=handoff.type.value)

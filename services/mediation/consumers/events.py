"""Mediation's handler table: the events its queue is bound to, and the action each one runs.
Each adapter only takes the action's arguments out of the envelope.

Runs inside the idempotent wrapper (one effect per event_id). Events that no longer apply (a stale
routing round, a hand-off of a case already closed) are acknowledged without effect by the actions."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.mediation.actions import court, offers, receipts
from shared.events import Envelope
from shared.handler_table import HandlerTable


async def on_received(session: AsyncSession, rt, envelope: Envelope) -> None:
    """The case as filed: parties for recusal and first contact, the received time for statistics."""
    await receipts.record_filing(session, rt, envelope.case_id, envelope.data, envelope.occurred_at)


async def on_routed(session: AsyncSession, rt, envelope: Envelope) -> None:
    await offers.take_routing(session, rt, envelope.case_id, envelope.data, envelope.occurred_at,
                              envelope.correlation_id)


async def on_unroutable(session: AsyncSession, rt, envelope: Envelope) -> None:
    await receipts.record_unroutable(session, rt, envelope.case_id, envelope.data, envelope.occurred_at)


async def on_withdrawn(session: AsyncSession, rt, envelope: Envelope) -> None:
    await court.withdrawn_at_court(session, rt, envelope.case_id, envelope.data.get("reason"), envelope.occurred_at)


async def on_handoff_sent(session: AsyncSession, rt, envelope: Envelope) -> None:
    await court.handed_off(session, rt, envelope.case_id)


async def on_handoff_acknowledged(session: AsyncSession, rt, envelope: Envelope) -> None:
    await court.acknowledged_by_court(session, rt, envelope.case_id)


HANDLERS: HandlerTable = {
    "case.received": on_received,
    "case.routed": on_routed,
    "case.unroutable": on_unroutable,
    "case.withdrawn": on_withdrawn,
    "handoff.sent": on_handoff_sent,
    "handoff.acknowledged": on_handoff_acknowledged,
}

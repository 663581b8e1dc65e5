"""Intake's handler table: the events its queue is bound to, and the action each one runs. Every
event another service writes goes on the case's timeline, which the clerk's read model is derived
from; intake writes case.received and case.withdrawn itself, in the transaction that makes them."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.actions.read_model import record_event
from shared.events import EVENT_TYPES, Envelope
from shared.handler_table import HandlerTable
from shared.logging import get_logger

log = get_logger("intake.read_model")

TIMELINE_EVENTS = tuple(t for t in EVENT_TYPES if t not in ("case.received", "case.withdrawn"))


async def on_event(session: AsyncSession, rt, envelope: Envelope) -> None:
    if not await record_event(session, rt.db, envelope):
        # Every event names a case intake created; an unknown id is a bug elsewhere, not a retry.
        log.error("event for an unknown case ignored", event_type=envelope.type, case_id=envelope.case_id)


HANDLERS: HandlerTable = {event_type: on_event for event_type in TIMELINE_EVENTS}

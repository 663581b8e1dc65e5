"""Feeds the clerk's read model from every service's events."""

from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.actions.read_model import record_event
from services.topology import INTAKE_EVENTS
from shared.events import Envelope
from shared.messaging import ConsumerHandler
from shared.logging import get_logger

log = get_logger("intake.read_model")


async def on_event(session: AsyncSession, envelope: Envelope) -> None:
    if not await record_event(session, envelope):
        # Every event names a case intake created; an unknown id is a bug elsewhere, not a retry.
        log.error("event for an unknown case ignored", event_type=envelope.type, case_id=envelope.case_id)


def handlers() -> dict[str, ConsumerHandler]:
    """Intake's handler table: every event it did not write itself goes on the case's timeline."""
    return {event_type: on_event for event_type in INTAKE_EVENTS}

"""Routing's handler table: the events its queue is bound to, and the action each one runs.
Each adapter only takes the action's arguments out of the envelope."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.routing.actions.calendar import year_loaded
from services.routing.actions.close_case import close_case
from services.routing.actions.reroute import reroute_after_decline
from services.routing.actions.route_case import route_filed_case
from shared.events import OUTCOMES, Envelope
from shared.handler_table import HandlerTable
from shared.holidays import arrangement_from


async def on_received(session: AsyncSession, rt, envelope: Envelope) -> None:
    await route_filed_case(session, rt, envelope.case_id, envelope.data, envelope.occurred_at)


async def on_declined(session: AsyncSession, rt, envelope: Envelope) -> None:
    """A decline, or the 3-working-day offer window lapsing (mediation's sweeper declines then)."""
    await reroute_after_decline(session, rt, envelope.case_id, envelope.data.get("partner_id"),
                                int(envelope.data.get("attempt") or 0))


async def on_finished(session: AsyncSession, rt, envelope: Envelope) -> None:
    await close_case(session, rt, envelope.case_id, withdrawn=envelope.type == "case.withdrawn")


async def on_year_loaded(session: AsyncSession, rt, envelope: Envelope) -> None:
    """Ops loaded a year's holidays into mediation's table; routing counts its windows on a copy."""
    await year_loaded(session, rt, arrangement_from(envelope.data), envelope.occurred_at)


HANDLERS: HandlerTable = {
    "case.received": on_received,
    "mediation.declined": on_declined,
    "case.withdrawn": on_finished,
    **{outcome: on_finished for outcome in OUTCOMES},
    "calendar.year_loaded": on_year_loaded,
}

"""Opens the offer to the partner when routing assigns a case."""

from sqlalchemy.ext.asyncio import AsyncSession

from services.mediation.store.models import Mediation
from shared.events import Envelope


async def on_event(session: AsyncSession, envelope: Envelope) -> None:
    if envelope.type != "case.routed":
        return
    data = envelope.data
    mediation = await session.get(Mediation, envelope.case_id, with_for_update=True)
    if mediation is None:
        mediation = Mediation(case_id=envelope.case_id)
        session.add(mediation)
    elif mediation.attempt >= int(data.get("attempt", 1)):
        return  # a stale or repeated routing
    mediation.partner_id = data["partner_id"]
    mediation.status = "offered"
    mediation.mode = data["mode"]
    mediation.attempt = int(data.get("attempt", 1))
    mediation.period_days = data.get("period_days")
    mediation.case_snapshot = data.get("case", {})
    mediation.offered_at = envelope.occurred_at
    mediation.updated_at = envelope.occurred_at

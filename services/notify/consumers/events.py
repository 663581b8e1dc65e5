"""Takes in every event: what partners subscribed to, parties need to hear, and the court must get."""

from datetime import datetime, timezone

from sqlalchemy.ext.asyncio import AsyncSession

from services.notify.store.models import SeenEvent
from shared.events import Envelope


async def on_event(session: AsyncSession, envelope: Envelope) -> None:
    session.add(SeenEvent(event_id=envelope.event_id, case_id=envelope.case_id, type=envelope.type,
                          occurred_at=envelope.occurred_at, received_at=datetime.now(timezone.utc)))

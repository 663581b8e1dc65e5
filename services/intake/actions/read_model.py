"""The clerk's read model: every event goes on its case's timeline and the view is derived again."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.domain.read_model import replay, to_timeline_entry
from services.intake.store import cases as repo
from services.intake.store.models import Case
from shared.events import Envelope


async def record_event(session: AsyncSession, envelope: Envelope, case: Case | None = None) -> bool:
    """Put an event on the case's timeline and rebuild the read model. False if the case is unknown."""
    case = case or await repo.case_for_update(session, envelope.case_id)
    if case is None:
        return False
    await repo.add_timeline_entry(session, envelope)
    entries = [to_timeline_entry({"event_id": r.event_id, "type": r.type, "case_id": case.id,
                                  "occurred_at": r.occurred_at, "data": r.data})[1]
               for r in await repo.timeline_of(session, case.id)]
    repo.apply_view(case, replay(case.id, entries))
    return True

"""The clerk's read model: every event goes on its case's timeline and the view is derived again."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.domain.read_model import replay
from services.intake.store import cases as repo
from services.intake.store.models import Case
from shared.db import Database
from shared.events import Envelope


async def record_event(session: AsyncSession, db: Database, envelope: Envelope, case: Case | None = None) -> bool:
    """Put an event on the case's timeline and rebuild the read model. False if the case is unknown.

    `case` is the case row if the caller has it loaded (and locked): it then shows the new view."""
    if not await repo.add_timeline_entry(session, db, envelope):
        # A redelivery, whose first delivery derived the view with it; or an unknown case.
        return case is not None or await repo.case_exists(session, envelope.case_id)
    view = replay(envelope.case_id, await repo.timeline_entries(session, envelope.case_id))
    columns = repo.read_model_columns(view, envelope.occurred_at)  # the view has this event: never its fallback
    await repo.store_view(session, envelope.case_id, columns)
    if case is not None:
        repo.show_view(case, columns)
    return True

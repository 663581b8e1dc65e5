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

    The case row is locked first (unless the caller holds `case`, locked), so the events of one case
    are replayed one after the other and none is left out of the view a concurrent one writes."""
    updated_at = case.updated_at if case is not None else await repo.lock_case(session, envelope.case_id)
    if updated_at is None:
        return False
    if not await repo.add_timeline_entry(session, db, envelope):
        return True  # a redelivery: the transaction that put it on the timeline derived the view with it
    view = replay(envelope.case_id, await repo.timeline_entries(session, envelope.case_id))
    columns = repo.read_model_columns(view, updated_at)
    await repo.store_view(session, envelope.case_id, columns)
    if case is not None:
        repo.show_view(case, columns)
    return True

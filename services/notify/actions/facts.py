"""What notify remembers of a case, merged from each of its events (and the parties' contacts from
case.received, for notices): the first step for every event, since the actions read it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.notify.store import facts as facts_store
from services.notify.store.models import CaseFacts
from shared.events import Envelope


async def remember(session: AsyncSession, rt, envelope: Envelope, now: datetime) -> CaseFacts:
    return await facts_store.record_facts(session, rt.db, envelope, now)

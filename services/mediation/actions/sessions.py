"""Mediation sessions: a time and a place, or online (2021 online rules). Scheduling one counts as
contact with the parties (2021 Art 15)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.mediation.actions.contacts import note_contact
from services.mediation.actions.core import Actor, Runtime, check, rfc3339, transition
from services.mediation.domain.states import Action
from services.mediation.store.models import Mediation, Session


async def schedule_session(session: AsyncSession, rt: Runtime, mediation: Mediation, actor: Actor, *,
                           scheduled_at: datetime, location: str | None, online: bool) -> Session:
    check(mediation, Action.SCHEDULE_SESSION, actor)
    now = rt.clock.now()
    note_contact(mediation, now)
    row = Session(id=str(uuid.uuid4()), case_id=mediation.case_id, scheduled_at=scheduled_at,
                  location=None if online else location, online=online, mediator_id=mediation.mediator_id,
                  created_at=now, created_by=actor.actor_id or actor.role.value)
    session.add(row)
    await transition(session, rt, mediation, Action.SCHEDULE_SESSION, actor, now=now, data={
        "session_id": row.id, "scheduled_at": rfc3339(scheduled_at), "online": online,
        "location": row.location, "mediator_id": mediation.mediator_id})
    return row

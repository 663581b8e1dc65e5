"""The first contact with the other party (2021 Art 15): contacts the mediator records, sessions
scheduled (which count as contact), and the ending of a mediation whose window closed without one,
which the contact sweeper records as a failure on `party_unreachable`."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.mediation.actions.core import Actor, Runtime, check, party_ids, rfc3339, transition
from services.mediation.actions.outcomes import record_outcome
from services.mediation.domain.contact import Channel, check_contact, first_contact_after
from services.mediation.domain.outcome import EndingGround
from services.mediation.domain.states import Action, Role
from services.mediation.store.models import Contact, Mediation

# how the audit trail names the contact sweeper
SWEEPER = Actor(Role.SYSTEM, "contact_sweeper")
UNREACHABLE_NOTE = "no contact with the other party within 3 working days of acceptance (2021 Art 15)"


def note_contact(mediation: Mediation, at: datetime) -> None:
    """Count a contact made `at` (ContactWindowClosed for a first one after the window closed)."""
    mediation.contacted_at = first_contact_after(contacted_at=mediation.contacted_at,
                                                 contact_due_at=mediation.contact_due_at, at=at)


async def record_contact(session: AsyncSession, rt: Runtime, mediation: Mediation, actor: Actor, *,
                         party_id: str, channel: Channel, contacted_at: datetime | None) -> Contact:
    """Record one contact; the state machine first, then the body (InvalidContact, 422), then the window."""
    check(mediation, Action.RECORD_CONTACT, actor)
    now = rt.clock.now()
    at = contacted_at or now
    check_contact(party_id=party_id, parties=party_ids(mediation), at=at, accepted_at=mediation.accepted_at, now=now)
    note_contact(mediation, at)
    row = Contact(id=str(uuid.uuid4()), case_id=mediation.case_id, party_id=party_id, channel=channel.value,
                  contacted_at=at, recorded_at=now, recorded_by=actor.actor_id or actor.role.value)
    session.add(row)
    await transition(session, rt, mediation, Action.RECORD_CONTACT, actor, now=now,
                     reason=f"{channel.value} contact with party {party_id} at {rfc3339(at)}")
    return row


async def end_unreachable(session: AsyncSession, rt: Runtime, mediation: Mediation, now: datetime) -> None:
    """The window closed without contact: the outcome `failed` on `party_unreachable`, recorded as a
    mediator would record it (same event, same hand-off for the mode), in the sweeper's name."""
    await record_outcome(session, rt, mediation, SWEEPER, {
        "result": "failed", "ground": EndingGround.PARTY_UNREACHABLE.value, "note": UNREACHABLE_NOTE}, now=now)

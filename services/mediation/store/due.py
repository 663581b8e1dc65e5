"""What the sweepers find due at `now`, oldest first: each query selects the mediations one
sweeper's action moves. The sweeper adds its batch limit and, on PostgreSQL, FOR UPDATE SKIP LOCKED."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, select

from services.mediation.domain.states import CLOCK_RUNNING, MediationStatus
from services.mediation.store.models import Mediation


def lapsed_offers(now: datetime) -> Select:
    return (select(Mediation).where(Mediation.status == MediationStatus.OFFERED.value,
                                    Mediation.offer_closes_at <= now)
            .order_by(Mediation.offer_closes_at, Mediation.case_id))


def overdue_mediations(now: datetime) -> Select:
    # paused cases have due_at NULL: their clock is stopped (2021 Art 26)
    return (select(Mediation).where(Mediation.status.in_([s.value for s in CLOCK_RUNNING]),
                                    Mediation.due_at <= now)
            .order_by(Mediation.due_at, Mediation.case_id))


def uncontacted_mediations(now: datetime) -> Select:
    # paused cases are left alone (their clock is stopped, 2021 Art 26); a contact or a session sets contacted_at
    return (select(Mediation).where(Mediation.status.in_([s.value for s in CLOCK_RUNNING]),
                                    Mediation.contacted_at.is_(None), Mediation.contact_due_at <= now)
            .order_by(Mediation.contact_due_at, Mediation.case_id))

"""The case facts and the parties' contacts notify keeps, fed by events."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.notify.domain.facts import contacts_from_received, facts_from_event
from services.notify.domain.notices import Recipient
from services.notify.store.models import CaseFacts, Contact
from shared.db import Database
from shared.events import Envelope


async def record_facts(session: AsyncSession, db: Database, envelope: Envelope, now: datetime) -> CaseFacts:
    """Merge what this event says about its case into the stored facts, and return them.

    One upsert: its row lock makes the events of one case take effect one after the other (the bus
    hands events to consumers concurrently), and RETURNING gives the merged row back.
    """
    stated = facts_from_event(envelope.type, envelope.data)
    upsert = db.insert(CaseFacts.__table__).values({"party_ids": [], **stated, "case_id": envelope.case_id,
                                                    "updated_at": now})
    merged = upsert.on_conflict_do_update(
        index_elements=["case_id"],
        set_={key: upsert.excluded[key] for key in (*stated, "updated_at")}).returning(*CaseFacts.__table__.c)
    row = (await session.execute(merged)).one()
    if envelope.type == "case.received":
        await _record_contacts(session, envelope.case_id, envelope.data)
    return CaseFacts(**row._asdict())


async def _record_contacts(session: AsyncSession, case_id: str, data: dict[str, Any]) -> None:
    known = {row.party_id: row for row in (await session.execute(
        select(Contact).where(Contact.case_id == case_id))).scalars()}
    for contact in contacts_from_received(data):
        row = known.get(contact["party_id"])
        if row is None:
            session.add(Contact(case_id=case_id, **contact))
        else:
            for key, value in contact.items():
                setattr(row, key, value)


async def recipients_of(session: AsyncSession, case_id: str) -> list[Recipient]:
    rows = (await session.execute(select(Contact).where(Contact.case_id == case_id)
                                  .order_by(Contact.party_id))).scalars()
    return [Recipient(r.party_id, r.name, r.email, r.phone) for r in rows if r.email or r.phone]


def facts_dict(facts: CaseFacts) -> dict[str, Any]:
    return {
        "case_id": facts.case_id, "court_code": facts.court_code, "stage": facts.stage, "mode": facts.mode,
        "procedure": facts.procedure, "category": facts.category, "case_number": facts.case_number,
        "court_case_number": facts.court_case_number, "partner_id": facts.partner_id,
        "partner_name": facts.partner_name, "period_days": facts.period_days,
        "party_ids": list(facts.party_ids or []),
    }

"""The case facts and the parties' contacts notify keeps, fed by events.

Every event of every case passes here, so the statements are Core, built once per shape and kept
(the ORM's per-row bookkeeping and the compiling of a statement built anew per call were most of
notify's cost per event)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.notify.domain.facts import contacts_from_received, facts_from_event
from services.notify.domain.notices import Recipient
from services.notify.store.models import CaseFacts, Contact
from shared.db import Database
from shared.events import Envelope

_FACTS = CaseFacts.__table__
_CONTACTS = Contact.__table__
_CONTACT_FIELDS = ("role", "name", "email", "phone")
_RECIPIENTS = (select(_CONTACTS.c.party_id, _CONTACTS.c.name, _CONTACTS.c.email, _CONTACTS.c.phone)
               .where(_CONTACTS.c.case_id == bindparam("case_id")).order_by(_CONTACTS.c.party_id))
# (dialect, the facts an event states) -> the upsert merging them; a handful of shapes in all.
_MERGES: dict[tuple[bool, tuple[str, ...]], Any] = {}
_CONTACT_UPSERTS: dict[bool, Any] = {}


async def record_facts(session: AsyncSession, db: Database, envelope: Envelope, now: datetime) -> CaseFacts:
    """Merge what this event says about its case into the stored facts, and return them.

    One upsert: its row lock makes the events of one case take effect one after the other (the bus
    hands events to consumers concurrently), and RETURNING gives the merged row back.
    """
    stated = facts_from_event(envelope.type, envelope.data)
    row = (await session.execute(_merge(db, tuple(sorted(stated))), {
        "party_ids": [], **stated, "case_id": envelope.case_id, "updated_at": now})).one()
    if envelope.type == "case.received":
        await _record_contacts(session, db, envelope.case_id, envelope.data)
    return CaseFacts(**row._asdict())


def _merge(db: Database, stated: tuple[str, ...]) -> Any:
    """INSERT the case's facts, or on its second event update only the keys this one states."""
    key = (db.is_sqlite, stated)
    if key not in _MERGES:
        upsert = db.insert(_FACTS)
        _MERGES[key] = upsert.on_conflict_do_update(
            index_elements=["case_id"],
            set_={name: upsert.excluded[name] for name in (*stated, "updated_at")}).returning(*_FACTS.c)
    return _MERGES[key]


async def _record_contacts(session: AsyncSession, db: Database, case_id: str, data: dict[str, Any]) -> None:
    """Each party's contact, in one statement; a redelivered case.received rewrites the same values."""
    by_party = {contact["party_id"]: contact for contact in contacts_from_received(data)}
    if by_party:
        await session.execute(_contact_upsert(db), [{**contact, "case_id": case_id} for contact in by_party.values()])


def _contact_upsert(db: Database) -> Any:
    if db.is_sqlite not in _CONTACT_UPSERTS:
        upsert = db.insert(_CONTACTS)
        _CONTACT_UPSERTS[db.is_sqlite] = upsert.on_conflict_do_update(
            index_elements=["case_id", "party_id"], set_={name: upsert.excluded[name] for name in _CONTACT_FIELDS})
    return _CONTACT_UPSERTS[db.is_sqlite]


async def recipients_of(session: AsyncSession, case_id: str) -> list[Recipient]:
    rows = await session.execute(_RECIPIENTS, {"case_id": case_id})
    return [Recipient(r.party_id, r.name, r.email, r.phone) for r in rows if r.email or r.phone]


def facts_dict(facts: CaseFacts) -> dict[str, Any]:
    return {
        "case_id": facts.case_id, "court_code": facts.court_code, "stage": facts.stage, "mode": facts.mode,
        "procedure": facts.procedure, "category": facts.category, "case_number": facts.case_number,
        "court_case_number": facts.court_case_number, "partner_id": facts.partner_id,
        "partner_name": facts.partner_name, "period_days": facts.period_days,
        "party_ids": list(facts.party_ids or []),
    }

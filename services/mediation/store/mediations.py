"""Queries over mediations and their records; take a session, never commit."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.mediation.store.models import AuditEntry, Contact, Extension, ExtensionConsent, Mediation, Session
from shared.db import Database
from shared.pagination import after_position

_MEDIATIONS = Mediation.__table__
# Built once, as Core: every case routed runs them.
_ADD_AUDIT_ENTRY = AuditEntry.__table__.insert()
_OPEN_NEW: dict[bool, Any] = {}


async def list_mediations(session: AsyncSession, *, partner_id: str | None, status: str | None,
                          cursor: tuple[datetime, str] | None, limit: int) -> list[Mediation]:
    """Newest routing first; one row more than `limit`, so the caller knows whether more follow."""
    query = select(Mediation)
    if partner_id is not None:
        query = query.where(Mediation.partner_id == partner_id)
    if status is not None:
        query = query.where(Mediation.status == status)
    if cursor is not None:
        query = query.where(after_position(Mediation.routed_at, Mediation.case_id, cursor, newest_first=True))
    query = query.order_by(Mediation.routed_at.desc(), Mediation.case_id.desc()).limit(limit + 1)
    return list((await session.scalars(query)).all())


async def records_of(session: AsyncSession, case_id: str):
    audit = (await session.scalars(select(AuditEntry).where(AuditEntry.case_id == case_id)
                                   .order_by(AuditEntry.id))).all()
    sessions = (await session.scalars(select(Session).where(Session.case_id == case_id)
                                      .order_by(Session.scheduled_at))).all()
    extensions = (await session.scalars(select(Extension).where(Extension.case_id == case_id)
                                        .order_by(Extension.granted_at))).all()
    consents = (await session.scalars(select(ExtensionConsent).where(ExtensionConsent.case_id == case_id))).all()
    return list(audit), list(sessions), list(extensions), list(consents)


async def contacts_of(session: AsyncSession, case_id: str) -> list[Contact]:
    return list((await session.scalars(select(Contact).where(Contact.case_id == case_id)
                                       .order_by(Contact.contacted_at, Contact.id))).all())


async def open_new(session: AsyncSession, db: Database, values: dict[str, Any]) -> bool:
    """Insert the mediation of a case that has none; False (nothing written) when it has one. The
    row is not added to the session: a later load in the transaction reads it as written."""
    return (await session.execute(_open_new(db), values)).first() is not None


def _open_new(db: Database) -> Any:
    if db.is_sqlite not in _OPEN_NEW:
        _OPEN_NEW[db.is_sqlite] = (db.insert(_MEDIATIONS).on_conflict_do_nothing(index_elements=["case_id"])
                                   .returning(_MEDIATIONS.c.case_id))
    return _OPEN_NEW[db.is_sqlite]


async def add_audit_entry(session: AsyncSession, entry: dict[str, Any]) -> None:
    await session.execute(_ADD_AUDIT_ENTRY, entry)

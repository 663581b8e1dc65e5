"""Notices to parties: queued by the consumer, claimed and sent by the notice worker.

The consumer queues notices for many events: those statements are Core, built once."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.notify.domain.notice_plan import PlannedNotice
from services.notify.domain.notices import NoticeKind
from services.notify.store.models import Contact, Notice
from services.notify.store.queued import NOTICES, queue_work
from shared.db import Database

_NOTICES = Notice.__table__
_ADD_NOTICES: dict[bool, Any] = {}
_CANCEL_PENDING = (update(_NOTICES)
                   .where(_NOTICES.c.case_id == bindparam("of_case"), _NOTICES.c.kind == bindparam("of_kind"),
                          _NOTICES.c.status == "pending")
                   .values(status="cancelled", last_error=bindparam("reason")))




@dataclass(frozen=True)
class NoticeClaim:
    notice_id: str
    channel: str
    subject: str
    body: str
    sms_template: str
    sms_params: dict
    attempt_no: int
    # Personal data: kept out of repr so that logging a claim cannot print it.
    address: str | None = field(default=None, repr=False)


async def add_notices(session: AsyncSession, db: Database, *, case_id: str, event_id: str,
                      planned: list[PlannedNotice], due_at: datetime, now: datetime) -> None:
    """The event's notices in one statement; a redelivered event's are already there and stay as they are."""
    if not planned:
        return
    await session.execute(_notice_insert(db), [
        dict(id=str(uuid.uuid4()), case_id=case_id, event_id=event_id, party_id=notice.party_id,
             kind=notice.kind.value, channel=notice.channel,
             status="failed" if notice.error else "pending", last_error=notice.error,
             subject=notice.subject, body=notice.body, sms_template=notice.sms_template,
             sms_params=notice.sms_params, due_at=due_at, attempts=0, created_at=now)
        for notice in planned])
    queue_work(session, NOTICES)


def _notice_insert(db: Database) -> Any:
    """Built once per dialect and run with one parameter set per notice: a multi-row VALUES would be
    compiled anew for every event."""
    if db.is_sqlite not in _ADD_NOTICES:
        _ADD_NOTICES[db.is_sqlite] = (db.insert(_NOTICES).on_conflict_do_nothing(
            index_elements=["event_id", "party_id", "channel", "kind"]))
    return _ADD_NOTICES[db.is_sqlite]


async def cancel_pending(session: AsyncSession, case_id: str, kind: NoticeKind, reason: str) -> None:
    """Void reminders that no longer apply (a new deadline, or the mediation has ended)."""
    await session.execute(_CANCEL_PENDING, {"of_case": case_id, "of_kind": kind.value, "reason": reason})


async def claim_due(session: AsyncSession, db: Database, now: datetime, lease: timedelta,
                    limit: int) -> list[NoticeClaim]:
    query = (select(Notice, Contact)
             .join(Contact, (Contact.case_id == Notice.case_id) & (Contact.party_id == Notice.party_id), isouter=True)
             .where(Notice.status == "pending", Notice.due_at <= now)
             .order_by(Notice.due_at, Notice.id).limit(limit))
    if not db.is_sqlite:
        query = query.with_for_update(skip_locked=True, of=Notice)
    claims = []
    for notice, contact in (await session.execute(query)).all():
        notice.due_at = now + lease
        address = None if contact is None else (contact.email if notice.channel == "email" else contact.phone)
        claims.append(NoticeClaim(notice.id, notice.channel, notice.subject, notice.body, notice.sms_template,
                                  dict(notice.sms_params or {}), notice.attempts + 1, address))
    return claims

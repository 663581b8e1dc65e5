"""Notices to parties: queued by the consumer, claimed and sent by the notice worker.

The consumer queues notices for many events and the worker claims and records them every pass: the
statements are Core, built once (loading and flushing ORM rows, and compiling statements built anew
per call, was most of their cost)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from operator import attrgetter
from typing import Any

from sqlalchemy import and_, bindparam, case, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.notify.domain.notice_plan import PlannedNotice
from services.notify.domain.notices import NoticeKind
from services.notify.store.claiming import DueClaim
from services.notify.store.models import Contact, Notice
from services.notify.store.pass_rows import PassRows, RecordedTable
from services.notify.store.queued import NOTICES, queue_work
from shared.db import Database

_NOTICES = Notice.__table__
_CONTACTS = Contact.__table__
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


# The due notices, oldest first, with the address their channel needs (only that one: personal data);
# only the notices are locked.
_DUE = (select(_NOTICES.c.id, _NOTICES.c.channel, _NOTICES.c.subject, _NOTICES.c.body, _NOTICES.c.sms_template,
               _NOTICES.c.sms_params, _NOTICES.c.attempts, _NOTICES.c.due_at.label("was_due"),
               case((_NOTICES.c.channel == "email", _CONTACTS.c.email), else_=_CONTACTS.c.phone).label("address"))
        .select_from(_NOTICES.outerjoin(_CONTACTS, and_(_CONTACTS.c.case_id == _NOTICES.c.case_id,
                                                        _CONTACTS.c.party_id == _NOTICES.c.party_id)))
        .where(_NOTICES.c.status == "pending", _NOTICES.c.due_at <= bindparam("now"))
        .order_by(_NOTICES.c.due_at, _NOTICES.c.id)
        .limit(bindparam("limit"))
        .with_for_update(skip_locked=True, of=_NOTICES))
_CLAIM = DueClaim(_NOTICES, _DUE, "due_at", attrgetter("was_due", "id"))


async def claim_due(session: AsyncSession, db: Database, now: datetime, lease: timedelta,
                    limit: int) -> list[NoticeClaim]:
    """Take due notices for one attempt each (store.claiming: a claimed notice stays pending with its
    due time pushed past the lease)."""
    return [NoticeClaim(row.id, row.channel, row.subject, row.body, row.sms_template, dict(row.sms_params or {}),
                        row.attempts + 1, row.address) for row in await _CLAIM.take(session, db, now, lease, limit)]


@dataclass(slots=True)
class RecordedNotice:
    """A notice as one worker pass records it: read under lock at the pass's start, changed in memory,
    written back at its end."""

    id: str
    status: str
    attempts: int
    last_error: str | None
    sent_at: datetime | None
    due_at: datetime


class NoticeRecords(PassRows[RecordedNotice]):
    """The notices one worker pass records: changed in memory as the results come, written in one
    statement at the end (`write`)."""

    table = RecordedTable(_NOTICES, RecordedNotice, recorded=("status", "attempts", "last_error", "sent_at", "due_at"))
    open_statuses = ("pending",)  # a cancelled notice's row is left as it is

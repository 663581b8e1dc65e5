"""Notices to the parties (email and SMS, rendered now, sent by the notice worker): the event's own
notice, the reminder before a deadline, the reminder before the window to apply for judicial
confirmation closes, and the voiding of a deadline reminder a later event made stale."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.notify.domain.notice_plan import (
    confirmation_notice_due,
    deadline_notice_due,
    notice_context,
    plan_notices,
)
from services.notify.domain.notices import EVENT_NOTICES, NoticeKind
from services.notify.store import facts as facts_store
from services.notify.store import notices as notice_store
from services.notify.store.models import CaseFacts
from shared.events import Envelope


async def notify_parties(session: AsyncSession, rt, envelope: Envelope, facts: CaseFacts, now: datetime) -> None:
    """The notice the event itself calls for (routed, session scheduled, the outcome), due now."""
    await _plan(session, rt, envelope, facts, EVENT_NOTICES[envelope.type], now, now)


async def remind_deadline(session: AsyncSession, rt, envelope: Envelope, facts: CaseFacts, now: datetime) -> None:
    """An event naming the (new) deadline: the parties hear of it 3 days before, in time to agree
    on an extension."""
    due_at = deadline_notice_due(envelope.data)
    if due_at is not None:
        await _plan(session, rt, envelope, facts, NoticeKind.DEADLINE_NEAR, due_at, now)


async def remind_confirmation_closing(session: AsyncSession, rt, envelope: Envelope, facts: CaseFacts,
                                      now: datetime) -> None:
    """A settlement that opened the 30 days to apply for judicial confirmation (民事诉讼法 Art 205):
    the parties are reminded before they close, on the date mediation computed (Art 85 applied)."""
    due_at = confirmation_notice_due(envelope.data)
    if due_at is not None:
        await _plan(session, rt, envelope, facts, NoticeKind.CONFIRMATION_CLOSING, due_at, now)


async def void_deadline_reminder(session: AsyncSession, rt, envelope: Envelope, facts: CaseFacts,
                                 now: datetime) -> None:
    """A new deadline, a pause (the clock stopped, 2021 Art 26) or the end of the mediation makes the
    pending reminder of the old deadline void."""
    await notice_store.cancel_pending(session, envelope.case_id, NoticeKind.DEADLINE_NEAR,
                                      f"superseded by {envelope.type}")


async def _plan(session: AsyncSession, rt, envelope: Envelope, facts: CaseFacts, kind: NoticeKind,
                due_at: datetime, now: datetime) -> None:
    recipients = await facts_store.recipients_of(session, envelope.case_id)
    context = notice_context(kind, facts_store.facts_dict(facts), envelope.data)
    planned = plan_notices(kind, context, recipients)
    await notice_store.add_notices(session, rt.db, case_id=envelope.case_id, event_id=envelope.event_id,
                                   planned=planned, due_at=max(due_at, now), now=now)

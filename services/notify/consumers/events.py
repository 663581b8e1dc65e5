"""Notify's handler table: for each event type its queue is bound to (every one), the actions the
event triggers, in order, after notify has merged the event into what it remembers of the case.

  fan_out                      a webhook to every subscribed endpoint the case concerns (every event)
  hand_off_to_court            the hand-off an outcome calls for
  void_deadline_reminder       a new deadline, a pause or the end voids the pending reminder
  remind_deadline              the reminder 3 days before the deadline the event names
  remind_confirmation_closing  the reminder before the judicial-confirmation window closes
  notify_parties               the event's own notice to the parties

All of it is written in the consumer's transaction; the workers send it once committed."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.notify.actions import facts
from services.notify.actions.handoffs import hand_off_to_court
from services.notify.actions.notices import (
    notify_parties,
    remind_confirmation_closing,
    remind_deadline,
    void_deadline_reminder,
)
from services.notify.actions.webhooks import fan_out
from services.notify.store.models import CaseFacts
from shared.events import Envelope
from shared.handler_table import HandlerTable

NotifyAction = Callable[[AsyncSession, Any, Envelope, CaseFacts, datetime], Awaitable[None]]

_ENDED = (fan_out, hand_off_to_court, void_deadline_reminder, notify_parties)
_NEW_DEADLINE = (fan_out, void_deadline_reminder, remind_deadline)

ACTIONS: Mapping[str, tuple[NotifyAction, ...]] = {
    "case.received": (fan_out,),
    "case.routed": (fan_out, notify_parties),
    "case.unroutable": (fan_out, hand_off_to_court, void_deadline_reminder),
    "case.withdrawn": (fan_out, void_deadline_reminder),
    "case.choice_window_opened": (fan_out,),
    "case.jointly_chosen": (fan_out,),
    "mediation.accepted": _NEW_DEADLINE,
    "mediation.declined": (fan_out,),
    "mediation.mediator_assigned": (fan_out,),
    "mediation.session_scheduled": (fan_out, notify_parties),
    "mediation.extended": _NEW_DEADLINE,
    "mediation.paused": (fan_out, void_deadline_reminder),
    "mediation.resumed": _NEW_DEADLINE,
    "mediation.calendar_recomputed": _NEW_DEADLINE,
    "mediation.settled": (fan_out, hand_off_to_court, void_deadline_reminder, remind_confirmation_closing,
                          notify_parties),
    "mediation.failed": _ENDED,
    "mediation.withdrawn": _ENDED,
    "mediation.expired": _ENDED,
    "handoff.sent": (fan_out,),
    "handoff.acknowledged": (fan_out,),
}


async def on_event(session: AsyncSession, rt, envelope: Envelope) -> None:
    now = rt.clock.now()
    known = await facts.remember(session, rt, envelope, now)
    for action in ACTIONS[envelope.type]:
        await action(session, rt, envelope, known, now)


HANDLERS: HandlerTable = {event_type: on_event for event_type in ACTIONS}

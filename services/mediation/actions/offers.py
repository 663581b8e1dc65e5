"""The offer to a partner (2021 Art 12): opened by case.routed, answered by accept or decline
within 3 working days, or lapsed by the sweeper, which counts as a decline. Acceptance starts the
period (2021 Art 24) and the first-contact window (2021 Art 15)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.mediation.actions.clock import deadline_of, store_deadline
from services.mediation.actions.core import SYSTEM, Actor, Runtime, check, record_opening, rfc3339, transition
from services.mediation.actions.staffing import UnknownMediator, assign_mediator
from services.mediation.domain.calendar import HolidayCalendar
from services.mediation.domain.offer import WorkingDayWindow, first_contact_window, offer_window
from services.mediation.domain.period import statutory_period_days
from services.mediation.domain.recusal import AssignmentRefused
from services.mediation.domain.states import Action, MediationStatus
from services.mediation.metrics import CALENDAR_PROVISIONAL
from services.mediation.store.models import Mediation, Receipt
from shared.logging import get_logger

log = get_logger("mediation.offers")

OFFER_LAPSED = "offer_lapsed"
# a new routing round may replace an offer nobody answered or one the partner declined; anything
# further along belongs to the partner that accepted it
_REOPENABLE = {MediationStatus.OFFERED.value, MediationStatus.DECLINED.value}


def open_offer(session: AsyncSession, mediation: Mediation | None, case_id: str, data: dict[str, Any],
               offered_at: datetime, received: dict[str, Any] | None = None,
               calendar: HolidayCalendar | None = None) -> Mediation | None:
    """Open (or re-open, for a higher attempt) the offer routing made; None when the routing is stale.

    `received` is the case as intake sent it (parties included); routing's `case` holds only its
    party-less facts, enough to open the offer when case.received has not arrived yet."""
    attempt = int(data.get("attempt") or 1)
    if mediation is not None:
        if attempt <= mediation.attempt:
            return None
        if mediation.status not in _REOPENABLE:
            log.warning("routing round ignored: the case is past its offer", case_id=case_id,
                        status=mediation.status, attempt=attempt)
            return None
    previous = mediation.status if mediation is not None else None
    if mediation is None:
        mediation = Mediation(case_id=case_id, routed_at=offered_at, version=1)
        session.add(mediation)
    case = received or data.get("case") or {}
    mode = data.get("mode") or case.get("mode") or "delegation"
    window = counted(offer_window(offered_at, calendar), "offer", case_id)
    mediation.status = MediationStatus.OFFERED.value
    mediation.partner_id = data["partner_id"]
    mediation.partner_name = data.get("partner_name")
    mediation.mode = mode
    mediation.attempt = attempt
    mediation.policy_pack = data.get("policy_pack") or "spc-2016"
    # the pack's extension limit travels with the decision (routing owns the packs)
    mediation.extension_rule = data.get("extension_rule")
    mediation.ruleset_version = data.get("ruleset_version")
    mediation.case_snapshot = case
    mediation.mediators = list(data.get("mediators") or [])
    mediation.mediator_id = None
    mediation.court_code = case.get("court_code")
    mediation.category = case.get("category")
    mediation.district = case.get("district")
    mediation.case_number = case.get("case_number")
    mediation.offered_at = offered_at
    mediation.offer_closes_at = window.closes_at
    mediation.offer_calendar_provisional = window.calendar_provisional
    mediation.accepted_at = None
    mediation.contact_due_at, mediation.contacted_at = None, None
    mediation.contact_calendar_provisional = mediation.due_calendar_provisional = False
    mediation.confirmation_due_at, mediation.confirmation_calendar_provisional = None, False
    mediation.period_days = statutory_period_days(mode, case.get("procedure"), data.get("period_days"))
    mediation.pauses, mediation.extension_days, mediation.due_at = [], [], None
    mediation.updated_at = offered_at
    record_opening(session, mediation, previous, offered_at)
    return mediation


async def take_routing(session: AsyncSession, rt: Runtime, case_id: str, decision: dict[str, Any],
                       routed_at: datetime, correlation_id: str | None) -> None:
    """case.routed: the offer routing made, opened unless the court withdrew the case first. The
    case keeps the decision's correlation id, for what the sweepers later do with it."""
    if not decision.get("partner_id"):
        return
    receipt = await session.get(Receipt, case_id)
    if receipt is not None and receipt.withdrawn_at is not None:
        log.info("routing of a withdrawn case ignored", case_id=case_id)
        return
    mediation = await session.get(Mediation, case_id, with_for_update=True)
    received = receipt.case_snapshot if receipt is not None else None
    opened = open_offer(session, mediation, case_id, decision, routed_at, received, calendar=rt.calendar)
    if opened is not None:
        opened.correlation_id = correlation_id
        closes_at = opened.offer_closes_at
        log.info("offer opened", case_id=case_id, partner_id=opened.partner_id, attempt=opened.attempt,
                 closes_at=closes_at.isoformat() if closes_at else None)


def counted(window: WorkingDayWindow, name: str, case_id: str) -> WorkingDayWindow:
    """The window, logged and counted when it rests on a provisional year of the calendar."""
    note_provisional(window.calendar_provisional, name, case_id, window.closes_at)
    return window


def note_provisional(provisional: bool, name: str, case_id: str, closes_at: datetime) -> None:
    if provisional:
        CALENDAR_PROVISIONAL.labels(window=name).inc()
        log.warning("window reaches a year the holiday table knows only by its statutory holidays: provisional "
                    "until ops load the year", window=name, case_id=case_id, closes_at=closes_at.isoformat())


class OfferLapsed(Exception):
    """The answer came after the window: it already counts as a decline (2021 Art 12), which the
    sweeper records at its next pass; accepting now would race routing's next round."""


async def accept(session: AsyncSession, rt: Runtime, mediation: Mediation, actor: Actor) -> None:
    check(mediation, Action.ACCEPT, actor)
    now = rt.clock.now()
    if mediation.offer_closes_at is not None and now >= mediation.offer_closes_at:
        raise OfferLapsed(mediation.offer_closes_at.isoformat())
    # the period runs from the partner's acceptance (2021 Art 24)
    mediation.accepted_at = now
    deadline = deadline_of(mediation, rt.calendar)
    due = store_deadline(mediation, deadline, now)
    note_provisional(due.provisional, "deadline", mediation.case_id, due.at)
    # the mediator contacts the other party within 3 working days, else mediation ends (2021 Art 15)
    contact = counted(first_contact_window(now, rt.calendar), "first_contact", mediation.case_id)
    mediation.contact_due_at, mediation.contacted_at = contact.closes_at, None
    mediation.contact_calendar_provisional = contact.calendar_provisional
    await transition(session, rt, mediation, Action.ACCEPT, actor, now=now, data={
        "deadline": rfc3339(deadline.due_at(now)), "period_days": mediation.period_days,
        "accepted_at": rfc3339(now), "contact_due_at": rfc3339(contact.closes_at),
        "calendar_provisional": mediation.due_calendar_provisional or contact.calendar_provisional,
        "partner_name": mediation.partner_name})
    await _assign_the_parties_choice(session, rt, mediation, actor)


async def _assign_the_parties_choice(session: AsyncSession, rt: Runtime, mediation: Mediation, actor: Actor) -> None:
    """The parties chose a mediator at this partner jointly (2021 Art 10): accepting the case assigns
    them, unless they must step aside (2016 Art 15), which leaves the choice to the partner."""
    chosen = next((m.get("id") for m in mediation.mediators or [] if m.get("chosen_by_parties")), None)
    if chosen is None:
        return
    try:
        await assign_mediator(session, rt, mediation, actor, chosen, [])
    except (AssignmentRefused, UnknownMediator) as exc:
        log.warning("the parties' chosen mediator cannot be assigned; the partner assigns one",
                    case_id=mediation.case_id, mediator_id=chosen, reason=str(exc))


async def decline(session: AsyncSession, rt: Runtime, mediation: Mediation, actor: Actor, reason: str) -> None:
    await transition(session, rt, mediation, Action.DECLINE, actor, reason=reason, data={"reason": reason})


async def lapse(session: AsyncSession, rt: Runtime, mediation: Mediation, now: datetime) -> None:
    await transition(session, rt, mediation, Action.LAPSE_OFFER, SYSTEM, reason=OFFER_LAPSED, now=now,
                     data={"reason": OFFER_LAPSED, "offer_closed_at": rfc3339(mediation.offer_closes_at)})


"""The offer to a partner (2021 Art 12): opened by case.routed, answered by accept or decline
within 3 working days, or lapsed by the sweeper, which counts as a decline. Acceptance starts the
period (2021 Art 24) and the first-contact window (2021 Art 15)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.mediation.actions.clock import deadline_of, store_deadline
from services.mediation.actions.core import (
    SYSTEM,
    Actor,
    Runtime,
    check,
    opening_entry,
    record_opening,
    rfc3339,
    transition,
)
from services.mediation.actions.staffing import UnknownMediator, assign_mediator
from services.mediation.domain.calendar import HolidayCalendar
from services.mediation.domain.offer import WorkingDayWindow, first_contact_window, offer_window
from services.mediation.domain.period import statutory_period_days
from services.mediation.domain.recusal import AssignmentRefused
from services.mediation.domain.states import Action, MediationStatus
from services.mediation.metrics import CALENDAR_PROVISIONAL
from services.mediation.store import mediations, receipts
from services.mediation.store.models import Mediation
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
    if mediation is not None and not _reopens(mediation, case_id, data):
        return None
    offer = _offer(data, offered_at, received, calendar)
    _count_window(offer, case_id)
    previous = mediation.status if mediation is not None else None
    if mediation is None:
        mediation = Mediation(case_id=case_id, routed_at=offered_at, version=1)
        session.add(mediation)
    for column, value in offer.items():
        setattr(mediation, column, value)
    record_opening(session, mediation, previous, offered_at)
    return mediation


def _reopens(mediation: Mediation, case_id: str, data: dict[str, Any]) -> bool:
    """Whether routing's round replaces the case's offer (a stale or late round does not)."""
    attempt = int(data.get("attempt") or 1)
    if attempt <= mediation.attempt:
        return False
    if mediation.status not in _REOPENABLE:
        log.warning("routing round ignored: the case is past its offer", case_id=case_id,
                    status=mediation.status, attempt=attempt)
        return False
    return True


def _offer(data: dict[str, Any], offered_at: datetime, received: dict[str, Any] | None,
           calendar: HolidayCalendar | None) -> dict[str, Any]:
    """The columns an offer sets, on a new mediation or on the one it re-opens."""
    case = received or data.get("case") or {}
    mode = data.get("mode") or case.get("mode") or "delegation"
    window = offer_window(offered_at, calendar)
    return {
        "status": MediationStatus.OFFERED.value, "partner_id": data["partner_id"],
        "partner_name": data.get("partner_name"), "mode": mode, "attempt": int(data.get("attempt") or 1),
        "policy_pack": data.get("policy_pack") or "spc-2016",
        # the pack's extension limit travels with the decision (routing owns the packs)
        "extension_rule": data.get("extension_rule"), "ruleset_version": data.get("ruleset_version"),
        "case_snapshot": case, "mediators": list(data.get("mediators") or []), "mediator_id": None,
        "court_code": case.get("court_code"), "category": case.get("category"), "district": case.get("district"),
        "case_number": case.get("case_number"), "offered_at": offered_at, "offer_closes_at": window.closes_at,
        "offer_calendar_provisional": window.calendar_provisional, "accepted_at": None,
        "contact_due_at": None, "contacted_at": None, "contact_calendar_provisional": False,
        "due_calendar_provisional": False, "confirmation_due_at": None, "confirmation_calendar_provisional": False,
        "period_days": statutory_period_days(mode, case.get("procedure"), data.get("period_days")),
        "pauses": [], "extension_days": [], "due_at": None, "updated_at": offered_at,
    }


def _count_window(offer: dict[str, Any], case_id: str) -> None:
    note_provisional(offer["offer_calendar_provisional"], "offer", case_id, offer["offer_closes_at"])


async def take_routing(session: AsyncSession, rt: Runtime, case_id: str, decision: dict[str, Any],
                       routed_at: datetime, correlation_id: str | None) -> None:
    """case.routed: the offer routing made, opened unless the court withdrew the case first. The
    case keeps the decision's correlation id, for what the sweepers later do with it.

    A case's first offer (the usual one) is written as Core, one INSERT of the mediation and one of
    its audit row; a case that has a mediation goes through open_offer() on the locked row."""
    if not decision.get("partner_id"):
        return
    receipt = await receipts.for_offer(session, case_id)
    if receipt is not None and receipt.withdrawn_at is not None:
        log.info("routing of a withdrawn case ignored", case_id=case_id)
        return
    received = receipt.case_snapshot if receipt is not None else None
    offer = _offer(decision, routed_at, received, rt.calendar)
    first = {"case_id": case_id, "routed_at": routed_at, "version": 1, "correlation_id": correlation_id, **offer}
    if await mediations.open_new(session, rt.db, first):
        _count_window(offer, case_id)
        await mediations.add_audit_entry(session, opening_entry(case_id, offer["partner_id"], offer["attempt"],
                                                                None, routed_at))
    else:
        mediation = await session.get(Mediation, case_id, with_for_update=True)
        reopened = open_offer(session, mediation, case_id, decision, routed_at, received, calendar=rt.calendar)
        if reopened is None:
            return
        reopened.correlation_id = correlation_id
    closes_at = offer["offer_closes_at"]
    log.info("offer opened", case_id=case_id, partner_id=offer["partner_id"], attempt=offer["attempt"],
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


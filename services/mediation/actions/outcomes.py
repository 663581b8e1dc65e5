"""How a mediation ends and leaves the partner: the recorded outcome with its hand-off type, the
court's own withdrawal, the hand-off notify reports and the closure.

The outcome event carries what notify builds the court's hand-off from (2016 Art 22; 2021 Art 18):
the agreement after a settlement, the facts every party signed after any other ending, the
procedural flags, and never the mediator's note, which stays in `outcome_detail` at the partner.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.mediation.actions.core import SYSTEM, Actor, Runtime, check, party_ids, rfc3339, transition
from services.mediation.actions.offers import note_provisional
from services.mediation.domain.confirmation import confirmation_window, opens_confirmation_window
from services.mediation.domain.handoff import Ending, HandoffType, excluded_from_confirmation, handoff_content
from services.mediation.domain.outcome import Agreement, Outcome, parse_outcome, parse_undisputed_facts
from services.mediation.domain.states import Action, record_outcome_action
from services.mediation.store.models import AuditEntry, Mediation
from shared.vocabulary import Mode

NO_HANDOFF = "no hand-off: closed at the partner"


def _agreement_data(agreement: Agreement | None) -> dict[str, Any] | None:
    if agreement is None:
        return None
    return {"terms": list(agreement.terms), "signed_by": sorted(agreement.signed_by)}


def _flags(agreement: Agreement | None) -> dict[str, Any]:
    if agreement is None:
        return {}
    return {"apply_judicial_confirmation": agreement.apply_for_judicial_confirmation,
            "withdraw_suit": agreement.withdraw_suit,
            "concerns_status_or_ownership": excluded_from_confirmation(agreement)}


def _handoff_value(kind: HandoffType) -> str | None:
    return None if kind is HandoffType.NONE else kind.value


async def record_outcome(session: AsyncSession, rt: Runtime, mediation: Mediation, actor: Actor,
                         payload: dict[str, Any], *, now: datetime | None = None) -> Outcome:
    """Validate (InvalidOutcome, 422) and record; the state machine is asked first."""
    if payload.get("result") in ("settled", "failed", "withdrawn"):
        check(mediation, record_outcome_action(payload["result"]), actor)
    if payload.get("result") == "failed" and payload.get("undisputed_facts") is None and mediation.undisputed_facts:
        # the facts the parties signed during the mediation go with a failure that names none
        payload = {**payload, "undisputed_facts": list(mediation.undisputed_facts)}
    outcome = parse_outcome(payload, party_ids(mediation), mediation.category)
    now = now or rt.clock.now()
    content = handoff_content(Mode(mediation.mode), outcome)
    facts = [{"text": f.text, "signed_by": sorted(f.signed_by)} for f in content.undisputed_facts]
    mediation.outcome, mediation.outcome_at = outcome.result.value, now
    mediation.handoff_type = content.handoff_type.value
    mediation.outcome_detail = {"result": outcome.result.value, "ground": outcome.ground.value,
                                "agreement": _agreement_data(outcome.agreement), **_flags(outcome.agreement),
                                "undisputed_facts": [{"text": f.text, "signed_by": sorted(f.signed_by)}
                                                     for f in outcome.undisputed_facts],
                                "note": outcome.note}
    confirmation = _open_confirmation_window(mediation, rt, now)
    await transition(session, rt, mediation, record_outcome_action(outcome.result.value), actor,
                     reason=outcome.ground.value, now=now, data={
                         "result": outcome.result.value, "ground": outcome.ground.value,
                         "agreement": _agreement_data(content.agreement), **_flags(content.agreement),
                         "undisputed_facts": facts, "handoff_type": _handoff_value(content.handoff_type),
                         "outcome_at": rfc3339(now), "mediator_id": mediation.mediator_id, **confirmation})
    await after_ending(session, rt, mediation, now)
    return outcome


def _open_confirmation_window(mediation: Mediation, rt: Runtime, now: datetime) -> dict[str, Any]:
    """The 30 days to apply for judicial confirmation (民事诉讼法 Art 205), when the hand-off is one;
    answers what the outcome event says of it (notify reminds the parties before it closes)."""
    if not opens_confirmation_window(mediation.handoff_type):
        mediation.confirmation_due_at, mediation.confirmation_calendar_provisional = None, False
        return {}
    window = confirmation_window(now, rt.calendar)
    mediation.confirmation_due_at, mediation.confirmation_calendar_provisional = window.at, window.provisional
    note_provisional(window.provisional, "judicial_confirmation", mediation.case_id, window.at)
    return {"judicial_confirmation_due_at": rfc3339(window.at), "calendar_provisional": window.provisional}


async def record_undisputed_facts(session: AsyncSession, rt: Runtime, mediation: Mediation, actor: Actor,
                                  facts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Keep facts every party signed as undisputed (2016 Art 22; 2021 Art 18) while the mediation
    runs, so an ending that records none (the period expiring, no contact) still hands them to the
    court. Recorded by those who may record a contact, in the same statuses; each call replaces the
    list, and the audit trail keeps that it happened (never the text: it leaves only with the hand-off)."""
    check(mediation, Action.RECORD_CONTACT, actor)
    parsed = parse_undisputed_facts(facts, party_ids(mediation))
    kept = [{"text": f.text, "signed_by": sorted(f.signed_by)} for f in parsed]
    mediation.undisputed_facts = kept
    now = rt.clock.now()
    mediation.updated_at = now
    session.add(AuditEntry(case_id=mediation.case_id, at=now, role=actor.role.value, actor_id=actor.actor_id,
                           action="record_undisputed_facts", from_status=mediation.status, to_status=mediation.status,
                           reason=f"{len(kept)} undisputed fact(s) signed by every party",
                           partner_id=mediation.partner_id, attempt=mediation.attempt))
    return kept


async def after_ending(session: AsyncSession, rt: Runtime, mediation: Mediation, now: datetime) -> None:
    """With no hand-off to wait for (self mode, a court withdrawal), the case closes at the partner."""
    if mediation.handoff_type == HandoffType.NONE.value:
        await transition(session, rt, mediation, Action.CLOSE, SYSTEM, reason=NO_HANDOFF, now=now)


async def withdraw_by_court(session: AsyncSession, rt: Runtime, mediation: Mediation, reason: str | None,
                            now: datetime) -> None:
    check(mediation, Action.WITHDRAW_BY_COURT, SYSTEM)
    # what the case was at the partner when withdrawn: offered or declined means the partner never
    # accepted it, which the statistics must not count against its settlement rate
    withdrawn_while = mediation.status
    mediation.outcome, mediation.outcome_at = "withdrawn", now
    mediation.handoff_type = handoff_content(Mode(mediation.mode), None, Ending.COURT_WITHDRAWN).handoff_type.value
    mediation.outcome_detail = {"result": "withdrawn", "ground": "withdrawal", "by": "court",
                                "while": withdrawn_while}
    mediation.due_at = None
    await transition(session, rt, mediation, Action.WITHDRAW_BY_COURT, SYSTEM,
                     reason=reason or "withdrawn at the court", now=now)
    await after_ending(session, rt, mediation, now)


async def hand_off(session: AsyncSession, rt: Runtime, mediation: Mediation, now: datetime) -> None:
    await transition(session, rt, mediation, Action.HAND_OFF, SYSTEM, reason="handoff.sent", now=now)


async def close(session: AsyncSession, rt: Runtime, mediation: Mediation, actor: Actor, reason: str | None,
                now: datetime | None = None) -> None:
    await transition(session, rt, mediation, Action.CLOSE, actor, reason=reason, now=now)

"""The one way a mediation's status changes: checked by the state machine, written to the audit
trail and emitted through the outbox, all in the caller's transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from services.mediation.domain import audit
from services.mediation.domain.events import event_type_for
from services.mediation.domain.machine import apply
from services.mediation.domain.states import Action, MediationStatus, Role
from services.mediation.store.models import AuditEntry, Mediation
from shared.auth import Principal
from shared.db import Database
from shared.events import Envelope
from shared.messaging import Outbox

SOURCE = "mediation"


class Runtime(Protocol):
    """What actions need of the service runtime."""

    db: Database
    outbox: Outbox
    calendar: Any  # the holiday arrangement in force (shared.holidays.HolidayCalendar)

    @property
    def clock(self) -> Any: ...


@dataclass(frozen=True)
class Actor:
    role: Role
    actor_id: str | None

    @classmethod
    def of(cls, principal: Principal) -> Actor:
        actor_id = principal.mediator_id or principal.partner_id or principal.subject
        return cls(role=Role(principal.role), actor_id=actor_id)


SYSTEM = Actor(Role.SYSTEM, None)


def check(mediation: Mediation, action: Action, actor: Actor) -> MediationStatus:
    """Raise Forbidden / IllegalTransition before any validation or effect, so a refused request
    answers 403/409 whatever its body holds."""
    return apply(MediationStatus(mediation.status), action, actor.role)


def case_facts(mediation: Mediation) -> dict[str, Any]:
    """What every mediation event carries about the case: enough for intake, routing and notify
    (court, mode, numbers, party ids), never a party's personal data."""
    snapshot = mediation.case_snapshot or {}
    return {
        "partner_id": mediation.partner_id,
        "attempt": mediation.attempt,
        "mode": mediation.mode,
        "stage": snapshot.get("stage"),
        "procedure": snapshot.get("procedure"),
        "category": mediation.category,
        "district": mediation.district,
        "court_code": mediation.court_code,
        "case_number": mediation.case_number,
        "court_case_number": snapshot.get("court_case_number"),
        "party_ids": party_ids(mediation),
    }


def party_ids(mediation: Mediation) -> list[str]:
    parties = (mediation.case_snapshot or {}).get("parties") or []
    return [str(p["party_id"]) for p in parties if p.get("party_id")]


async def transition(session: AsyncSession, rt: Runtime, mediation: Mediation, action: Action, actor: Actor,
                     *, reason: str | None = None, data: dict[str, Any] | None = None,
                     now: datetime | None = None) -> Envelope | None:
    """Apply `action`; append the audit row; emit the contract's event for it, if it has one."""
    now = now or rt.clock.now()
    entry = audit.transition(mediation.case_id, MediationStatus(mediation.status), action, actor.role,
                             at=now, actor_id=actor.actor_id, reason=reason)
    session.add(AuditEntry(case_id=mediation.case_id, at=now, role=actor.role.value, actor_id=actor.actor_id,
                           action=action.value, from_status=entry.from_status.value,
                           to_status=entry.to_status.value, reason=reason, partner_id=mediation.partner_id,
                           attempt=mediation.attempt))
    mediation.status = entry.to_status.value
    mediation.updated_at = now
    event_type = event_type_for(action)
    if event_type is None:
        return None
    envelope = Envelope.new(event_type, mediation.case_id, SOURCE, {**case_facts(mediation), **(data or {})},
                            occurred_at=now)
    await rt.outbox.add(session, envelope)
    return envelope


def record_opening(session: AsyncSession, mediation: Mediation, previous: str | None, now: datetime) -> None:
    session.add(AuditEntry(**opening_entry(mediation.case_id, mediation.partner_id, mediation.attempt, previous,
                                           now)))


def opening_entry(case_id: str, partner_id: str, attempt: int, previous: str | None,
                  now: datetime) -> dict[str, Any]:
    """Opening an offer is not a machine action (the case arrives from routing), but the trail
    still shows it, so the audit reads from the first offer to the end: the row's columns."""
    return {"case_id": case_id, "at": now, "role": Role.SYSTEM.value, "actor_id": None, "action": "open_offer",
            "from_status": previous or "routed", "to_status": MediationStatus.OFFERED.value, "reason": None,
            "partner_id": partner_id, "attempt": attempt}


def rfc3339(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None

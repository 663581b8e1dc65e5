"""One transition as the append-only audit trail records it: who, when, from, to, why.

`transition` is the only way the service layer should change a status: it applies the state
machine and returns the entry to append, so a status never changes without its audit row.
"""

from dataclasses import dataclass
from datetime import datetime

from services.mediation.domain.machine import apply
from services.mediation.domain.states import Action, MediationStatus, Role


@dataclass(frozen=True)
class AuditEntry:
    case_id: str
    action: Action
    from_status: MediationStatus
    to_status: MediationStatus
    role: Role
    actor_id: str | None  # partner id, mediator id, ops user; None for the system
    at: datetime
    reason: str | None = None


def transition(
    case_id: str,
    status: MediationStatus,
    action: Action,
    role: Role,
    *,
    at: datetime,
    actor_id: str | None = None,
    reason: str | None = None,
) -> AuditEntry:
    """The audit entry of a permitted transition; Forbidden / IllegalTransition otherwise."""
    if at.tzinfo is None:
        raise ValueError("audit times are aware datetimes")
    target = apply(status, action, role)
    return AuditEntry(
        case_id=case_id,
        action=action,
        from_status=status,
        to_status=target,
        role=role,
        actor_id=actor_id,
        at=at,
        reason=reason,
    )

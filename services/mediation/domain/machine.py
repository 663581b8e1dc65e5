"""The mediation lifecycle as one explicit state machine.

Precedence of the two refusals, decided once here so that the API answers consistently:
1. `Forbidden` (403) when the role can never perform the action, from any status. It is checked
   first because the answer must not depend on, and so must not reveal, the case's state.
2. `IllegalTransition` (409) when the role may perform the action in general but not from the
   current status.
The table gives every allowed action the same roles in every status it is allowed from, so a
role that passes step 1 never needs a third, status-dependent 403.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from services.mediation.domain.states import Action, MediationStatus, Role

S = MediationStatus
A = Action

_ANSWERING = frozenset({Role.PARTNER, Role.MEDIATOR})
_MEDIATING = frozenset({Role.PARTNER, Role.MEDIATOR})
_STAFFING = frozenset({Role.PARTNER, Role.MEDIATOR, Role.OPS})
_SYSTEM = frozenset({Role.SYSTEM})
# an ending without agreement: the partner's people, or the contact sweeper (party unreachable,
# 2021 Art 15); the sweeper never picks a paused case, whose clock is stopped
_ENDING = frozenset({Role.PARTNER, Role.MEDIATOR, Role.SYSTEM})
_CLOSING = frozenset({Role.SYSTEM, Role.OPS})


@dataclass(frozen=True)
class Transition:
    target: MediationStatus
    roles: frozenset[Role]


def _row(target: MediationStatus, roles: frozenset[Role]) -> Transition:
    return Transition(target=target, roles=roles)


TRANSITIONS: Mapping[tuple[MediationStatus, Action], Transition] = MappingProxyType(
    {
        # the offer (2021 Art 12)
        (S.OFFERED, A.ACCEPT): _row(S.ACCEPTED, _ANSWERING),
        (S.OFFERED, A.DECLINE): _row(S.DECLINED, _ANSWERING),
        (S.OFFERED, A.LAPSE_OFFER): _row(S.DECLINED, _SYSTEM),
        (S.OFFERED, A.WITHDRAW_BY_COURT): _row(S.WITHDRAWN, _SYSTEM),
        # withdrawn while the decline is on its way to routing: the withdrawal wins, and a routing
        # round that comes after it finds the case withdrawn and opens no offer (issue #10 item 10)
        (S.DECLINED, A.WITHDRAW_BY_COURT): _row(S.WITHDRAWN, _SYSTEM),
        # staffing: the first mediator starts the mediation; a later one replaces them (recusal)
        (S.ACCEPTED, A.ASSIGN_MEDIATOR): _row(S.IN_MEDIATION, _STAFFING),
        (S.IN_MEDIATION, A.ASSIGN_MEDIATOR): _row(S.IN_MEDIATION, _STAFFING),
        (S.PAUSED, A.ASSIGN_MEDIATOR): _row(S.PAUSED, _STAFFING),
        # sessions need a mediator, hence only in_mediation
        (S.IN_MEDIATION, A.SCHEDULE_SESSION): _row(S.IN_MEDIATION, _MEDIATING),
        # contacting the parties (2021 Art 15): from acceptance on, while the mediation is open
        (S.ACCEPTED, A.RECORD_CONTACT): _row(S.ACCEPTED, _MEDIATING),
        (S.IN_MEDIATION, A.RECORD_CONTACT): _row(S.IN_MEDIATION, _MEDIATING),
        (S.PAUSED, A.RECORD_CONTACT): _row(S.PAUSED, _MEDIATING),
        # appraisal stops the clock (2021 Art 26); resume returns to mediation, the only pausable status
        (S.IN_MEDIATION, A.PAUSE): _row(S.PAUSED, _MEDIATING),
        (S.PAUSED, A.RESUME): _row(S.IN_MEDIATION, _MEDIATING),
        # extension by every party's consent (2016 Art 27), while the period is still running or stopped
        (S.ACCEPTED, A.EXTEND): _row(S.ACCEPTED, _MEDIATING),
        (S.IN_MEDIATION, A.EXTEND): _row(S.IN_MEDIATION, _MEDIATING),
        (S.PAUSED, A.EXTEND): _row(S.PAUSED, _MEDIATING),
        # outcomes (2021 Art 25): an agreement needs a mediator, an ending does not
        (S.IN_MEDIATION, A.RECORD_SETTLED): _row(S.SETTLED, _MEDIATING),
        (S.PAUSED, A.RECORD_SETTLED): _row(S.SETTLED, _MEDIATING),
        (S.ACCEPTED, A.RECORD_FAILED): _row(S.FAILED, _ENDING),
        (S.IN_MEDIATION, A.RECORD_FAILED): _row(S.FAILED, _ENDING),
        (S.PAUSED, A.RECORD_FAILED): _row(S.FAILED, _ENDING),
        (S.ACCEPTED, A.RECORD_WITHDRAWN): _row(S.WITHDRAWN, _MEDIATING),
        (S.IN_MEDIATION, A.RECORD_WITHDRAWN): _row(S.WITHDRAWN, _MEDIATING),
        (S.PAUSED, A.RECORD_WITHDRAWN): _row(S.WITHDRAWN, _MEDIATING),
        # the sweeper; a paused case cannot run out, its clock is stopped
        (S.ACCEPTED, A.EXPIRE): _row(S.EXPIRED, _SYSTEM),
        (S.IN_MEDIATION, A.EXPIRE): _row(S.EXPIRED, _SYSTEM),
        # the applicant withdrew at the court (case.withdrawn)
        (S.ACCEPTED, A.WITHDRAW_BY_COURT): _row(S.WITHDRAWN, _SYSTEM),
        (S.IN_MEDIATION, A.WITHDRAW_BY_COURT): _row(S.WITHDRAWN, _SYSTEM),
        (S.PAUSED, A.WITHDRAW_BY_COURT): _row(S.WITHDRAWN, _SYSTEM),
        # hand-off to the court (handoff.sent) and closure
        (S.SETTLED, A.HAND_OFF): _row(S.HANDED_OFF, _SYSTEM),
        (S.FAILED, A.HAND_OFF): _row(S.HANDED_OFF, _SYSTEM),
        (S.WITHDRAWN, A.HAND_OFF): _row(S.HANDED_OFF, _SYSTEM),
        (S.EXPIRED, A.HAND_OFF): _row(S.HANDED_OFF, _SYSTEM),
        (S.HANDED_OFF, A.CLOSE): _row(S.CLOSED, _CLOSING),
        # no hand-off (self mode, or a withdrawal the court itself reported): closed at the partner
        (S.SETTLED, A.CLOSE): _row(S.CLOSED, _CLOSING),
        (S.FAILED, A.CLOSE): _row(S.CLOSED, _CLOSING),
        (S.WITHDRAWN, A.CLOSE): _row(S.CLOSED, _CLOSING),
        (S.EXPIRED, A.CLOSE): _row(S.CLOSED, _CLOSING),
    }
)


def _roles_ever_allowed() -> Mapping[Action, frozenset[Role]]:
    roles: dict[Action, frozenset[Role]] = {action: frozenset() for action in Action}
    for (_, action), transition in TRANSITIONS.items():
        roles[action] = roles[action] | transition.roles
    return MappingProxyType(roles)


ROLES_FOR_ACTION: Mapping[Action, frozenset[Role]] = _roles_ever_allowed()


class TransitionRefused(Exception):
    """Base of the two refusals; the state is unchanged by either."""

    http_status: int = 409

    def __init__(self, status: MediationStatus, action: Action, role: Role, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.action = action
        self.role = role
        self.detail = detail


class IllegalTransition(TransitionRefused):
    http_status = 409


class Forbidden(TransitionRefused):
    http_status = 403


def apply(status: MediationStatus, action: Action, role: Role) -> MediationStatus:
    """The status after `role` performs `action` on a mediation in `status`, or a refusal."""
    if role not in ROLES_FOR_ACTION[action]:
        raise Forbidden(status, action, role, f"role {role} may not {action}")
    transition = TRANSITIONS.get((status, action))
    if transition is None:
        raise IllegalTransition(status, action, role, f"cannot {action} a mediation that is {status}")
    if role not in transition.roles:
        raise Forbidden(status, action, role, f"role {role} may not {action} when {status}")
    return transition.target


def allowed_actions(status: MediationStatus, role: Role) -> frozenset[Action]:
    """What `role` may do now: for the mediator client's buttons and the API's `links`."""
    return frozenset(
        action
        for (source, action), transition in TRANSITIONS.items()
        if source == status and role in transition.roles
    )

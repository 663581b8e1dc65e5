"""Statuses, actions and roles of a mediation as it lives at the partner body.

The statuses are the contract's case statuses seen from the partner's side: the contract's `routed`
is `offered` here (the partner has the offer and must answer), and `declined` / `paused` exist only
at the partner (a declined case goes back to routing; a paused one waits for an appraisal).
"""

from enum import StrEnum


class MediationStatus(StrEnum):
    OFFERED = "offered"
    ACCEPTED = "accepted"
    IN_MEDIATION = "in_mediation"
    PAUSED = "paused"  # appraisal 鉴定评估 running: the legal clock is stopped (2021 Art 26)
    SETTLED = "settled"
    FAILED = "failed"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"
    DECLINED = "declined"
    HANDED_OFF = "handed_off"
    CLOSED = "closed"


class Action(StrEnum):
    ACCEPT = "accept"
    DECLINE = "decline"
    LAPSE_OFFER = "lapse_offer"  # no answer within 3 working days counts as a decline (2021 Art 12)
    ASSIGN_MEDIATOR = "assign_mediator"
    SCHEDULE_SESSION = "schedule_session"
    RECORD_CONTACT = "record_contact"  # the mediator reached a party (2021 Art 15); the status stays
    PAUSE = "pause"
    RESUME = "resume"
    EXTEND = "extend"
    # record_outcome is three actions so that the table alone decides the new status.
    RECORD_SETTLED = "record_settled"
    RECORD_FAILED = "record_failed"
    RECORD_WITHDRAWN = "record_withdrawn"
    EXPIRE = "expire"  # the sweeper, once the deadline has passed
    WITHDRAW_BY_COURT = "withdraw_by_court"  # case.withdrawn from intake
    HAND_OFF = "hand_off"  # handoff.sent from notify
    CLOSE = "close"  # handoff.acknowledged, or closure at the partner when there is no hand-off


class Role(StrEnum):
    PARTNER = "partner"
    MEDIATOR = "mediator"
    OPS = "ops"
    SYSTEM = "system"  # consumers and the sweeper, never a bearer token


ENDED = frozenset(
    {
        MediationStatus.SETTLED,
        MediationStatus.FAILED,
        MediationStatus.WITHDRAWN,
        MediationStatus.EXPIRED,
    }
)
"""Mediation is over and the outcome waits to be handed off (or closed at the partner)."""

CLOCK_RUNNING = frozenset({MediationStatus.ACCEPTED, MediationStatus.IN_MEDIATION})
"""Statuses in which the statutory period runs and the sweeper may expire the case."""

_RECORD_ACTIONS = {
    "settled": Action.RECORD_SETTLED,
    "failed": Action.RECORD_FAILED,
    "withdrawn": Action.RECORD_WITHDRAWN,
}


def record_outcome_action(result: str) -> Action:
    """The action for `POST /v1/mediations/{id}/outcome` with this `result`."""
    try:
        return _RECORD_ACTIONS[result]
    except KeyError:
        raise ValueError(f"unknown outcome result {result!r}") from None

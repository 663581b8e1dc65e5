"""Which contract event a transition emits (contract.md, "Events").

Not every action emits one of mediation's events:
- pause and resume (an appraisal, 2021 Art 26) emit `mediation.paused` / `mediation.resumed`, which
  the platform adds to the contract's list: the clerk's timeline, the parties' "deadline near"
  notice and partner webhooks follow the stopped clock and the new deadline;
- record_contact has none either: the contact shows in the audit trail and the mediation's view;
- withdraw_by_court reacts to intake's `case.withdrawn`, which routing already counts against
  capacity; emitting `mediation.withdrawn` as well would free the capacity twice;
- hand_off and close react to notify's `handoff.sent` / `handoff.acknowledged`.
"""

from collections.abc import Mapping
from types import MappingProxyType

from services.mediation.domain.states import Action

EVENT_FOR_ACTION: Mapping[Action, str | None] = MappingProxyType(
    {
        Action.ACCEPT: "mediation.accepted",
        Action.DECLINE: "mediation.declined",
        Action.LAPSE_OFFER: "mediation.declined",  # a lapsed offer is a decline (2021 Art 12)
        Action.ASSIGN_MEDIATOR: "mediation.mediator_assigned",
        Action.SCHEDULE_SESSION: "mediation.session_scheduled",
        Action.RECORD_CONTACT: None,
        Action.PAUSE: "mediation.paused",
        Action.RESUME: "mediation.resumed",
        Action.EXTEND: "mediation.extended",
        Action.RECORD_SETTLED: "mediation.settled",
        Action.RECORD_FAILED: "mediation.failed",
        Action.RECORD_WITHDRAWN: "mediation.withdrawn",
        Action.EXPIRE: "mediation.expired",
        Action.WITHDRAW_BY_COURT: None,
        Action.HAND_OFF: None,
        Action.CLOSE: None,
    }
)


def event_type_for(action: Action) -> str | None:
    return EVENT_FOR_ACTION[action]

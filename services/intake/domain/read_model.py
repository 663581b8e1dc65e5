"""The clerk's read model of one case, fed by the events of every service.

Events arrive at least once and not necessarily in order, so the model is built to make both
harmless:

- **Idempotent.** An event whose `event_id` is already on the timeline changes nothing (the very
  same object is returned).
- **Order-tolerant.** The model keeps every event once, sorted by (`occurred_at`, `event_id`), and
  every field is *derived* by replaying that sorted timeline from a blank state. The result thus
  depends on the set of events received, never on the order of arrival.
- **Status only moves forward.** Even the replay order can lie a little (clocks of different
  services), so a status is taken only if it ranks above the current one:
  received < routed < accepted < in_mediation < {settled, failed, withdrawn, expired, unroutable}
  < handed_off < closed. Among the terminal outcomes the first one wins. A late `case.routed`
  therefore never overwrites `settled`. Facts (outcome, hand-off type, court's case number, deadline)
  are recorded even when the status does not move, so a `mediation.settled` that sorts after
  `handoff.sent` still fills in the outcome.

The one backward step is a decline. `mediation.declined` sends a `routed` case back through routing:
the status returns to `received` and the partner is cleared until routing answers with a new
`case.routed` whose `attempt` is higher. Attempts keep the rounds apart:

- a `case.routed` with an attempt below the current one is stale (a later round superseded it) and
  only goes on the timeline; one without an attempt opens a new round if the case is back in
  routing, else restates the current round (so routing should send `attempt`);
- a decline applies only to the round it names (its `attempt`, else its `partner_id`); a decline of an
  older round is stale;
- every decline is remembered, so a `case.routed` of a round that was already declined (one that
  replays after its decline because of clock skew, or is restated) goes straight back to routing.

Data keys read (all optional): case.received {mode | stage}; case.routed {partner_id, mode,
period_days, attempt}; case.unroutable {reason, mode}; mediation.declined {partner_id, attempt};
mediation.accepted {partner_id, deadline, attempt}; mediation.mediator_assigned
{mediator_id}; mediation.session_scheduled {scheduled_at}; mediation.extended {deadline};
mediation.paused (the clock stops for an appraisal, 2021 Art 26: no deadline while paused);
mediation.resumed {deadline} (the deadline moved by the pause); mediation.calendar_recomputed
{deadline} (ops loaded a year's holidays and the deadline moved);
mediation.settled|failed|withdrawn|expired and case.withdrawn {handoff_type | handoff (a type, or
an object with `type`)}; handoff.sent {the same, or type}; handoff.acknowledged {court_case_number}.
A `self` case that fails has no hand-off and stays `failed`; `closed` comes from the court's
acknowledgement. Personal data (parties, id numbers, phones, addresses) is dropped from timeline
entries.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

from services.intake.domain.reference import MODE_BY_STAGE

STATUS_RANK: Mapping[str, int] = MappingProxyType({
    "received": 0,
    "routed": 1,
    "accepted": 2,
    "in_mediation": 3,
    "settled": 4,
    "failed": 4,
    "withdrawn": 4,
    "expired": 4,
    "unroutable": 4,
    "handed_off": 5,
    "closed": 6,
})
STATUSES: tuple[str, ...] = tuple(STATUS_RANK)
OUTCOME_EVENTS: Mapping[str, str] = MappingProxyType({
    "mediation.settled": "settled",
    "mediation.failed": "failed",
    "mediation.withdrawn": "withdrawn",
    "mediation.expired": "expired",
    "case.withdrawn": "withdrawn",
})
PERSONAL_KEYS = frozenset({"parties", "id_number", "phone", "address"})


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    event_id: str
    type: str
    occurred_at: datetime
    data: Mapping[str, Any] = field(default_factory=dict)

    @property
    def sort_key(self) -> tuple[datetime, str]:
        return (self.occurred_at, self.event_id)


@dataclass(frozen=True, slots=True)
class HandoffState:
    type: str | None = None
    sent_at: datetime | None = None
    acknowledged_at: datetime | None = None
    court_case_number: str | None = None


@dataclass(frozen=True, slots=True)
class Decline:
    """A partner's refusal of one routing round, named by attempt or, failing that, by partner."""

    attempt: int | None
    partner_id: str | None

    def matches(self, attempt: int, partner_id: str | None) -> bool:
        if self.attempt is not None:
            return self.attempt == attempt
        return self.partner_id is not None and self.partner_id == partner_id


@dataclass(frozen=True, slots=True)
class CaseReadModel:
    case_id: str
    status: str = "received"
    mode: str | None = None
    partner_id: str | None = None
    mediator_id: str | None = None
    period_days: int | None = None
    attempt: int = 0
    deadline: str | None = None
    deadline_extended: bool = False
    paused: bool = False  # an appraisal stopped the clock (2021 Art 26); the deadline is unknown until resumed
    next_session_at: str | None = None
    outcome: str | None = None
    outcome_at: datetime | None = None
    handoff_type: str | None = None
    handoff: HandoffState | None = None
    unroutable_reason: str | None = None
    declined_partner_ids: tuple[str, ...] = ()
    declines: tuple[Decline, ...] = ()
    timeline: tuple[TimelineEntry, ...] = ()

    @property
    def updated_at(self) -> datetime | None:
        return self.timeline[-1].occurred_at if self.timeline else None

    def has_event(self, event_id: str) -> bool:
        return any(entry.event_id == event_id for entry in self.timeline)


# --- public API ------------------------------------------------------------------------------

def new_read_model(case_id: str) -> CaseReadModel:
    return CaseReadModel(case_id=str(case_id))


def apply_event(view: CaseReadModel | None, event: Any) -> CaseReadModel:
    """The view after `event` (an Envelope, or any object or mapping with event_id, case_id,
    type, occurred_at and data). `view` None starts a new view for the event's case."""
    case_id, entry = to_timeline_entry(event)
    if view is None:
        view = new_read_model(case_id)
    elif case_id != view.case_id:
        raise ValueError(f"event {entry.event_id} is for case {case_id}, not {view.case_id}")
    if view.has_event(entry.event_id):
        return view
    timeline = tuple(sorted(view.timeline + (entry,), key=lambda e: e.sort_key))
    return replay(view.case_id, timeline)


def replay(case_id: str, timeline: Iterable[TimelineEntry]) -> CaseReadModel:
    """Derive the whole view from the timeline (deduplicated and sorted here as well)."""
    unique = {entry.event_id: entry for entry in timeline}
    ordered = tuple(sorted(unique.values(), key=lambda e: e.sort_key))
    state = new_read_model(case_id)
    for entry in ordered:
        state = _HANDLERS.get(entry.type, _no_change)(state, entry)
    return replace(state, timeline=ordered)


def to_timeline_entry(event: Any) -> tuple[str, TimelineEntry]:
    """(case_id, entry) from an Envelope-like object or mapping; personal data is dropped."""
    get = event.get if isinstance(event, Mapping) else lambda key, default=None: getattr(event, key, default)
    entry = TimelineEntry(
        event_id=str(get("event_id")),
        type=str(get("type")),
        occurred_at=_as_datetime(get("occurred_at")),
        data=_without_personal_data(get("data") or get("payload") or {}),
    )
    return str(get("case_id")), entry


def read_model_to_dict(view: CaseReadModel) -> dict[str, Any]:
    """A JSON-ready form for storage. Only the timeline is needed to rebuild; the rest is there for
    queries (status, partner, ...) in the store."""
    return {
        "case_id": view.case_id,
        "status": view.status,
        "mode": view.mode,
        "partner_id": view.partner_id,
        "mediator_id": view.mediator_id,
        "deadline": view.deadline,
        "outcome": view.outcome,
        "timeline": [_entry_to_dict(entry) for entry in view.timeline],
    }


# --- status and facts ------------------------------------------------------------------------

def _advance(state: CaseReadModel, status: str) -> CaseReadModel:
    if STATUS_RANK[status] > STATUS_RANK[state.status]:
        return replace(state, status=status)
    return state


def _rank(state: CaseReadModel) -> int:
    return STATUS_RANK[state.status]


def _no_change(state: CaseReadModel, entry: TimelineEntry) -> CaseReadModel:
    return state


def _on_received(state: CaseReadModel, entry: TimelineEntry) -> CaseReadModel:
    mode = entry.data.get("mode") or MODE_BY_STAGE.get(entry.data.get("stage") or "")
    return replace(state, mode=state.mode or mode)


def _on_routed(state: CaseReadModel, entry: TimelineEntry) -> CaseReadModel:
    data = entry.data
    attempt = _int(data.get("attempt")) or _implied_attempt(state)
    if attempt < state.attempt:
        return state
    partner_id = data.get("partner_id")
    state = replace(
        state,
        attempt=attempt,
        mode=data.get("mode") or state.mode,
        period_days=_int(data.get("period_days")) or state.period_days,
    )
    if _rank(state) <= STATUS_RANK["routed"]:
        state = replace(state, status="routed", partner_id=partner_id, mediator_id=None, deadline=None)
    elif state.partner_id is None and state.status != "unroutable":
        state = replace(state, partner_id=partner_id)
    if state.status == "routed" and any(d.matches(attempt, partner_id) for d in state.declines):
        return _back_to_routing(state)
    return state


def _implied_attempt(state: CaseReadModel) -> int:
    # Without an attempt number, a routing that finds the case back in routing opens a new round;
    # otherwise it restates the current one.
    if state.status == "received":
        return state.attempt + 1
    return max(state.attempt, 1)


def _on_declined(state: CaseReadModel, entry: TimelineEntry) -> CaseReadModel:
    decline = Decline(_int(entry.data.get("attempt")), entry.data.get("partner_id"))
    current_round = state.status == "routed" and _declines_current_round(state, decline)
    state = replace(_note_decliner(state, decline.partner_id or state.partner_id),
                    declines=state.declines + (decline,))
    return _back_to_routing(state) if current_round else state


def _declines_current_round(state: CaseReadModel, decline: Decline) -> bool:
    if decline.attempt is not None:
        return decline.attempt == state.attempt
    return decline.partner_id is None or decline.partner_id == state.partner_id


def _note_decliner(state: CaseReadModel, partner_id: str | None) -> CaseReadModel:
    if partner_id is None or partner_id in state.declined_partner_ids:
        return state
    return replace(state, declined_partner_ids=state.declined_partner_ids + (partner_id,))


def _back_to_routing(state: CaseReadModel) -> CaseReadModel:
    return replace(state, status="received", partner_id=None, mediator_id=None, deadline=None)


def _on_unroutable(state: CaseReadModel, entry: TimelineEntry) -> CaseReadModel:
    moved = _advance(state, "unroutable")
    if moved is state:
        return state
    return replace(moved, partner_id=None, mode=entry.data.get("mode") or state.mode,
                   unroutable_reason=entry.data.get("reason"))


def _on_accepted(state: CaseReadModel, entry: TimelineEntry) -> CaseReadModel:
    data = entry.data
    attempt = _int(data.get("attempt"))
    if attempt is not None and attempt < state.attempt:
        return state
    state = _advance(state, "accepted")
    return replace(
        state,
        attempt=max(state.attempt, attempt or 0),
        partner_id=data.get("partner_id") or state.partner_id,
        deadline=state.deadline if state.deadline_extended else data.get("deadline", state.deadline),
    )


def _on_mediator_assigned(state: CaseReadModel, entry: TimelineEntry) -> CaseReadModel:
    state = _advance(state, "in_mediation")
    return replace(state, mediator_id=entry.data.get("mediator_id") or state.mediator_id)


def _on_session_scheduled(state: CaseReadModel, entry: TimelineEntry) -> CaseReadModel:
    state = _advance(state, "in_mediation")
    return replace(state, next_session_at=entry.data.get("scheduled_at") or state.next_session_at)


def _on_extended(state: CaseReadModel, entry: TimelineEntry) -> CaseReadModel:
    deadline = entry.data.get("deadline")
    if deadline is None:
        return state
    if state.paused:  # extended during an appraisal: the due time is known again only on resumption
        return replace(state, deadline_extended=True)
    return replace(state, deadline=deadline, deadline_extended=True)


def _on_paused(state: CaseReadModel, entry: TimelineEntry) -> CaseReadModel:
    if state.outcome is not None:
        return state
    return replace(state, paused=True, deadline=None, deadline_extended=True)


def _on_resumed(state: CaseReadModel, entry: TimelineEntry) -> CaseReadModel:
    if state.outcome is not None:
        return state
    return replace(state, paused=False, deadline=entry.data.get("deadline") or state.deadline,
                   deadline_extended=True)


def _on_calendar_recomputed(state: CaseReadModel, entry: TimelineEntry) -> CaseReadModel:
    deadline = entry.data.get("deadline")
    if state.outcome is not None or state.paused or not deadline:
        return state
    return replace(state, deadline=deadline, deadline_extended=True)


def _on_outcome(state: CaseReadModel, entry: TimelineEntry) -> CaseReadModel:
    outcome = OUTCOME_EVENTS[entry.type]
    handoff_type = _handoff_kind(entry.data)
    state = _advance(state, outcome)
    if state.outcome is None:
        return replace(state, outcome=outcome, outcome_at=entry.occurred_at, handoff_type=handoff_type)
    if state.outcome == outcome and state.handoff_type is None:
        return replace(state, handoff_type=handoff_type)
    return state


def _on_handoff_sent(state: CaseReadModel, entry: TimelineEntry) -> CaseReadModel:
    previous = state.handoff or HandoffState()
    kind = _handoff_kind(entry.data) or entry.data.get("type") or state.handoff_type
    handoff = replace(previous, type=previous.type or kind, sent_at=previous.sent_at or entry.occurred_at)
    return replace(_advance(state, "handed_off"), handoff=handoff,
                   handoff_type=state.handoff_type or kind)


def _on_handoff_acknowledged(state: CaseReadModel, entry: TimelineEntry) -> CaseReadModel:
    previous = state.handoff or HandoffState(type=state.handoff_type)
    handoff = replace(
        previous,
        acknowledged_at=previous.acknowledged_at or entry.occurred_at,
        court_case_number=entry.data.get("court_case_number") or previous.court_case_number,
    )
    return replace(_advance(state, "closed"), handoff=handoff)


_HANDLERS: Mapping[str, Callable[[CaseReadModel, TimelineEntry], CaseReadModel]] = MappingProxyType({
    "case.received": _on_received,
    "case.routed": _on_routed,
    "case.unroutable": _on_unroutable,
    "case.withdrawn": _on_outcome,
    "mediation.accepted": _on_accepted,
    "mediation.declined": _on_declined,
    "mediation.mediator_assigned": _on_mediator_assigned,
    "mediation.session_scheduled": _on_session_scheduled,
    "mediation.extended": _on_extended,
    "mediation.paused": _on_paused,
    "mediation.resumed": _on_resumed,
    "mediation.calendar_recomputed": _on_calendar_recomputed,
    "mediation.settled": _on_outcome,
    "mediation.failed": _on_outcome,
    "mediation.withdrawn": _on_outcome,
    "mediation.expired": _on_outcome,
    "handoff.sent": _on_handoff_sent,
    "handoff.acknowledged": _on_handoff_acknowledged,
})


# --- helpers ---------------------------------------------------------------------------------

def _handoff_kind(data: Mapping[str, Any]) -> str | None:
    handoff = data.get("handoff")
    if isinstance(handoff, Mapping):
        return handoff.get("type")
    return data.get("handoff_type") or handoff

def _int(value: Any) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _as_datetime(value: Any) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if not isinstance(value, datetime):
        raise ValueError(f"occurred_at must be a datetime, got {value!r}")
    # Naive times would not compare with aware ones; events are stamped in UTC.
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _without_personal_data(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _without_personal_data(v) for k, v in value.items() if k not in PERSONAL_KEYS}
    if isinstance(value, (list, tuple)):
        return [_without_personal_data(v) for v in value]
    return value


def _entry_to_dict(entry: TimelineEntry) -> dict[str, Any]:
    return {
        "event_id": entry.event_id,
        "type": entry.type,
        "occurred_at": entry.occurred_at.isoformat(),
        "data": dict(entry.data),
    }

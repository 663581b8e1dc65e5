"""The message envelope every event travels in, on RabbitMQ and in process alike."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from shared.clock import SystemClock
from shared.context import accepted_traceparent, correlation_id_or_new, correlation_id_var, traceparent_var

EVENT_TYPES = (
    "case.received",
    "case.routed",
    "case.unroutable",
    "case.withdrawn",
    # beyond the contract's list (added, docs/api-notes.md): the parties' joint choice of 2021 Art 10
    "case.choice_window_opened",
    "case.jointly_chosen",
    "mediation.accepted",
    "mediation.declined",
    "mediation.mediator_assigned",
    "mediation.session_scheduled",
    "mediation.extended",
    # beyond the contract's list (added, docs/api-notes.md): the appraisal pause of 2021 Art 26
    "mediation.paused",
    "mediation.resumed",
    # ops loaded a year's holidays and the case's windows were computed again (docs/api-notes.md)
    "mediation.calendar_recomputed",
    "mediation.settled",
    "mediation.failed",
    "mediation.withdrawn",
    "mediation.expired",
    "handoff.sent",
    "handoff.acknowledged",
)

# Events between the services that concern no case: on no case's timeline, never a webhook, so not
# in EVENT_TYPES (intake's timeline and notify's fan-out take every one of those). Their case_id is a
# stable key of what they are about (`calendar-2027`): the outbox keeps the order per key.
PLATFORM_EVENT_TYPES = (
    # ops loaded a year's holiday arrangement into mediation's table: routing counts on it too
    "calendar.year_loaded",
)


def calendar_key(year: int) -> str:
    """The case_id of a year's calendar events: a year's versions stay in order in the outbox."""
    return f"calendar-{year}"

# The events that end a mediation, whichever way it ended.
OUTCOMES = ("mediation.settled", "mediation.failed", "mediation.withdrawn", "mediation.expired")


def utcnow() -> datetime:
    """For an envelope made without a time (tools, tests); services pass their clock's."""
    return SystemClock().now()


class Envelope(BaseModel):
    """One event. `event_id` is what consumers deduplicate on."""

    model_config = ConfigDict(frozen=True)

    event_id: str = Field(default_factory=lambda: str(uuid.uuid4()))
    type: str
    case_id: str
    occurred_at: datetime = Field(default_factory=utcnow)
    version: int = 1
    correlation_id: str = ""
    # the W3C traceparent of the request that started the case's flow, when it came with one
    traceparent: str = ""
    source: str = ""
    data: dict[str, Any] = Field(default_factory=dict)

    @classmethod
    def new(cls, type: str, case_id: str, source: str, data: dict[str, Any] | None = None,
            *, occurred_at: datetime | None = None, correlation_id: str | None = None) -> Envelope:
        if type not in EVENT_TYPES and type not in PLATFORM_EVENT_TYPES:
            raise ValueError(f"unknown event type {type!r}")
        return cls(
            type=type,
            case_id=str(case_id),
            source=source,
            data=data or {},
            occurred_at=occurred_at or utcnow(),
            # Checked here too, not only at the edge: the id becomes an AMQP property and a webhook
            # header, and one the broker cannot take would park the event (shared/messaging.py).
            correlation_id=correlation_id_or_new(correlation_id or correlation_id_var.get()),
            traceparent=accepted_traceparent(traceparent_var.get()),
        )

    def to_json(self) -> bytes:
        # without a trace the envelope stays as it always was
        return self.model_dump_json(exclude=None if self.traceparent else {"traceparent"}).encode()

    @classmethod
    def from_json(cls, raw: bytes | str) -> Envelope:
        return cls.model_validate_json(raw)

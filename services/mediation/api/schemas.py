"""Request bodies of `/v1/mediations`. Answers are plain dicts built in views.py."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool, model_validator

from services.mediation.domain.contact import Channel
from shared.inputs import Instant, SingleLine, Text

Reason = Annotated[str, Text(1000)]
# Ids of parties and mediators: one line, the length of a UUID or a roster id at most.
PartyId = Annotated[str, SingleLine(36)]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DeclineIn(Body):
    reason: Reason


class WaiverIn(Body):
    party_id: PartyId
    disclosed_at: Instant


class MediatorIn(Body):
    mediator_id: Annotated[str, SingleLine(40)]
    waivers: list[WaiverIn] = Field(default_factory=list, max_length=50)


class SessionIn(Body):
    scheduled_at: Instant
    location: Annotated[str, SingleLine(300)] | None = None
    online: StrictBool = False

    @model_validator(mode="after")
    def _place(self) -> SessionIn:
        if self.online == (self.location is not None):
            raise ValueError("give either a location or online: true")
        return self


class ContactIn(Body):
    party_id: PartyId
    channel: Channel
    contacted_at: Instant | None = None  # when it happened; now if absent


class ExtensionIn(Body):
    days: int = Field(ge=1, le=365)
    consents: list[PartyId] = Field(max_length=50)


class FactIn(Body):
    text: Annotated[str, Text(2000)]
    signed_by: list[PartyId] = Field(max_length=50)


class UndisputedFactsIn(Body):
    """Facts every party signed as undisputed (2016 Art 22): they reach the court with the ending."""

    facts: list[FactIn] = Field(min_length=1, max_length=100)


class NoteIn(Body):
    reason: Reason | None = None


class OutcomeIn(BaseModel):
    """Validated in depth by domain.outcome.parse_outcome, which reports every field at fault."""

    model_config = ConfigDict(extra="forbid")
    result: str
    agreement: dict[str, Any] | None = None
    note: str | None = Field(default=None, max_length=10_000)
    ground: str | None = None
    undisputed_facts: list[dict[str, Any]] | None = Field(default=None, max_length=100)

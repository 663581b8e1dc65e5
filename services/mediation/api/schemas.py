"""Request bodies of `/v1/mediations`. Answers are plain dicts built in views.py."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StrictBool, StringConstraints, model_validator

from services.mediation.domain.contact import Channel

Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DeclineIn(Body):
    reason: Reason


class WaiverIn(Body):
    party_id: Annotated[str, StringConstraints(min_length=1, max_length=36)]
    disclosed_at: AwareDatetime


class MediatorIn(Body):
    mediator_id: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
    waivers: list[WaiverIn] = Field(default_factory=list, max_length=50)


class SessionIn(Body):
    scheduled_at: AwareDatetime
    location: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)] | None = None
    online: StrictBool = False

    @model_validator(mode="after")
    def _place(self) -> "SessionIn":
        if self.online == (self.location is not None):
            raise ValueError("give either a location or online: true")
        return self


class ContactIn(Body):
    party_id: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=36)]
    channel: Channel
    contacted_at: AwareDatetime | None = None  # when it happened; now if absent


class ExtensionIn(Body):
    days: int = Field(ge=1, le=365)
    consents: list[Annotated[str, StringConstraints(min_length=1, max_length=36)]] = Field(max_length=50)


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

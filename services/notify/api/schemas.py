"""Request bodies of notify's API."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

from shared.events import EVENT_TYPES
from shared.inputs import Instant, SingleLine


class EndpointCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(min_length=1, max_length=2000)
    event_types: list[str] = Field(min_length=1, max_length=len(EVENT_TYPES))
    # Ops may register an endpoint on a partner's behalf; a partner's token already names its partner.
    partner_id: Annotated[str, SingleLine(20)] | None = None

    @field_validator("event_types")
    @classmethod
    def _known_types(cls, value: list[str]) -> list[str]:
        unknown = [t for t in value if t not in EVENT_TYPES]
        if unknown:
            raise ValueError(f"unknown event types {unknown}; known: {', '.join(EVENT_TYPES)}")
        return list(dict.fromkeys(value))


class ReplayRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    since: Instant
    endpoint_id: Annotated[str, SingleLine(36)] | None = None

"""What notify's API answers, for the OpenAPI document (services/notify/api/views.py builds the dicts).
Fields are declared in the order the views write them, so an answer keeps its bytes; a key that is
always written is required, even when it may be null. Contacts never appear in these answers."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from shared.openapi import ResponseModel, Timestamp


class EndpointView(ResponseModel):
    """A webhook endpoint; its signing secret is never shown again after creation or rotation."""

    id: str
    partner_id: str | None = Field(description="The partner it belongs to; null for an ops endpoint.")
    url: str
    event_types: list[str]
    enabled: bool
    disabled_reason: str | None
    disabled_at: Timestamp | None
    consecutive_failures: int
    failing_since: Timestamp | None
    secret_rotated_at: Timestamp | None
    previous_secret_expires_at: Timestamp | None = Field(description="The old secret keeps signing until then.")
    created_at: Timestamp | None
    updated_at: Timestamp | None


class EndpointWithSecret(EndpointView):
    """The endpoint with its signing secret, shown this once (creation, rotation). A replayed
    creation (the same Idempotency-Key) answers the endpoint without it."""

    secret: str = Field(description="`whsec_...`: the Standard Webhooks signing secret.")


class EndpointList(ResponseModel):
    items: list[EndpointView]
    next_cursor: str | None


class AttemptView(ResponseModel):
    attempt: int
    attempted_at: Timestamp | None
    status_code: int | None
    error: str | None
    duration_ms: int | None
    response_body: str | None = Field(description="The start of what the endpoint answered.")


class DeliveryView(ResponseModel):
    id: str
    endpoint_id: str
    webhook_id: str = Field(description="The `webhook-id` header: the same on every attempt.")
    event_type: str
    case_id: str | None
    status: str
    attempts: int
    next_attempt_at: Timestamp | None = Field(description="While pending.")
    last_attempt_at: Timestamp | None
    last_status_code: int | None
    last_error: str | None
    delivered_at: Timestamp | None
    created_at: Timestamp | None
    attempt_log: list[AttemptView]


class DeliveryList(ResponseModel):
    items: list[DeliveryView]
    next_cursor: str | None


class ReplayAnswer(ResponseModel):
    replayed: int = Field(description="How many failed deliveries were queued again.")
    since: Timestamp
    endpoint_id: str | None


class HandoffView(ResponseModel):
    """A hand-off to the court system and its acknowledgement."""

    id: str
    case_id: str
    type: str
    court_code: str | None
    status: str
    attempts: int
    next_attempt_at: Timestamp | None
    last_status_code: int | None
    last_error: str | None
    sent_at: Timestamp | None
    acknowledged_at: Timestamp | None
    court_case_number: str | None
    created_at: Timestamp | None
    document: dict[str, Any] | None = Field(description="What was sent to the court.")


class HandoffList(ResponseModel):
    items: list[HandoffView]
    next_cursor: str | None

"""What the API answers for endpoints, deliveries and hand-offs. Secrets appear only when asked for
(on creation and rotation); contacts never appear here."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from services.notify.domain.signing import ROTATION_OVERLAP
from services.notify.store.models import Delivery, DeliveryAttempt, Handoff, WebhookEndpoint


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def endpoint_view(endpoint: WebhookEndpoint, *, reveal_secret: bool = False) -> dict[str, Any]:
    view: dict[str, Any] = {
        "id": endpoint.id,
        "partner_id": endpoint.partner_id,
        "url": endpoint.url,
        "event_types": list(endpoint.event_types),
        "enabled": endpoint.enabled,
        "disabled_reason": endpoint.disabled_reason,
        "disabled_at": _iso(endpoint.disabled_at),
        "consecutive_failures": endpoint.consecutive_failures,
        "failing_since": _iso(endpoint.first_failure_at),
        "secret_rotated_at": _iso(endpoint.rotated_at),
        "previous_secret_expires_at": _iso(endpoint.rotated_at + ROTATION_OVERLAP) if endpoint.rotated_at else None,
        "created_at": _iso(endpoint.created_at),
        "updated_at": _iso(endpoint.updated_at),
    }
    if reveal_secret:
        view["secret"] = endpoint.secret
    return view


def attempt_view(attempt: DeliveryAttempt) -> dict[str, Any]:
    return {"attempt": attempt.attempt_no, "attempted_at": _iso(attempt.attempted_at),
            "status_code": attempt.status_code, "error": attempt.error, "duration_ms": attempt.duration_ms,
            "response_body": attempt.response_body}


def delivery_view(delivery: Delivery, attempts: list[DeliveryAttempt]) -> dict[str, Any]:
    return {
        "id": delivery.id,
        "endpoint_id": delivery.endpoint_id,
        "webhook_id": delivery.webhook_id,
        "event_type": delivery.event_type,
        "case_id": delivery.case_id,
        "status": delivery.status,
        "attempts": delivery.attempts,
        "next_attempt_at": _iso(delivery.next_attempt_at) if delivery.status == "pending" else None,
        "last_attempt_at": _iso(delivery.last_attempt_at),
        "last_status_code": delivery.last_status_code,
        "last_error": delivery.last_error,
        "delivered_at": _iso(delivery.delivered_at),
        "created_at": _iso(delivery.created_at),
        "attempt_log": [attempt_view(a) for a in attempts],
    }


def handoff_view(handoff: Handoff) -> dict[str, Any]:
    return {
        "id": handoff.id,
        "case_id": handoff.case_id,
        "type": handoff.type,
        "court_code": handoff.court_code,
        "status": handoff.status,
        "attempts": handoff.attempts,
        "next_attempt_at": _iso(handoff.next_attempt_at) if handoff.status in ("pending", "sent") else None,
        "last_status_code": handoff.last_status_code,
        "last_error": handoff.last_error,
        "sent_at": _iso(handoff.sent_at),
        "acknowledged_at": _iso(handoff.acknowledged_at),
        "court_case_number": handoff.court_case_number,
        "created_at": _iso(handoff.created_at),
        "document": handoff.document,
    }

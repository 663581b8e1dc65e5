"""The webhook message for an event: its stable id and the exact body partners receive.

The body is fixed once, when the event arrives, so every attempt sends the same bytes under the same
webhook-id and a receiver can deduplicate on it. Contact details (phones, email and postal
addresses) never leave in a webhook, and id numbers leave masked: partners read them through the
APIs that check who is asking (in full only once their body accepted the case).
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

from shared.masking import mask_id_number

CONTACT_KEYS = frozenset({"phone", "email", "address"})


def message_id(event_id: str) -> str:
    """The webhook-id: derived from the event, so a redelivered event keeps its id."""
    try:
        return "msg_" + uuid.UUID(event_id).hex
    except ValueError:
        return "msg_" + uuid.uuid5(uuid.NAMESPACE_URL, event_id).hex


def without_personal_data(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: mask_id_number(v) if k == "id_number" and isinstance(v, str) else without_personal_data(v)
                for k, v in value.items() if k not in CONTACT_KEYS}
    if isinstance(value, list):
        return [without_personal_data(v) for v in value]
    return value


def webhook_body(event_type: str, event_id: str, case_id: str, occurred_at: datetime,
                 data: dict[str, Any]) -> str:
    """{"type", "timestamp", "data"} as in contract.md; data names the case and the event."""
    document = {
        "type": event_type,
        "timestamp": occurred_at.astimezone(UTC).isoformat(),
        "data": {"case_id": case_id, "event_id": event_id, **without_personal_data(data)},
    }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"), default=str)

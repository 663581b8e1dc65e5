"""Standard Webhooks signatures for deliveries to partner systems.

The HMAC itself is left to the `standardwebhooks` package so that what we send is, by construction,
what its verifier accepts on the partner's side.
"""

from __future__ import annotations

import base64
import secrets as _secrets
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from math import floor

from standardwebhooks.webhooks import Webhook

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32
# A rotated-out secret keeps signing for a day so partners can roll their verifiers without a gap.
ROTATION_OVERLAP = timedelta(hours=24)


def new_secret(random_bytes: Callable[[int], bytes] = _secrets.token_bytes) -> str:
    return SECRET_PREFIX + base64.b64encode(random_bytes(SECRET_BYTES)).decode("ascii")


def signing_secrets(
    current: str, previous: str | None, rotated_at: datetime | None, now: datetime
) -> list[str]:
    """The secrets a delivery made at `now` is signed with, newest first."""
    if previous is None or rotated_at is None:
        return [current]
    if now - rotated_at < ROTATION_OVERLAP:
        return [current, previous]
    return [current]


def timestamp_header(timestamp: datetime) -> str:
    return str(floor(_as_utc(timestamp).timestamp()))


def sign(secrets: Sequence[str], msg_id: str, timestamp: datetime, body: str) -> dict[str, str]:
    """The three Standard Webhooks headers; one `v1,<sig>` per secret, space separated."""
    if not secrets:
        raise ValueError("at least one signing secret is needed")
    utc = _as_utc(timestamp)
    signatures = [Webhook(secret).sign(msg_id, utc, body) for secret in secrets]
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": timestamp_header(utc),
        "webhook-signature": " ".join(signatures),
    }


def _as_utc(timestamp: datetime) -> datetime:
    # Webhook.sign() replaces the tzinfo rather than converting, so hand it UTC already.
    if timestamp.tzinfo is None:
        raise ValueError("timestamp must be timezone-aware")
    return timestamp.astimezone(UTC)

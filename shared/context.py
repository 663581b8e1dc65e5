"""Per-request and per-message context: the correlation id that follows a case across services.

A correlation id comes from outside (a request header, a message property) and is copied into
every event, AMQP property and webhook header of the case. AMQP short strings hold 255 bytes at
most: a 5,000-character id once made every later event of a service wait behind a row the broker
could never take. So an id is used only when it is short printable ASCII; anything else is replaced
by a fresh one and the original dropped (not logged, not echoed).
"""

import re
import secrets
import uuid
from contextvars import ContextVar

correlation_id_var: ContextVar[str] = ContextVar("correlation_id", default="")

MAX_CORRELATION_ID_LENGTH = 128
# Visible ASCII only: no spaces, no control characters, nothing that needs encoding in a header.
_CORRELATION_ID = re.compile(rf"[\x21-\x7e]{{1,{MAX_CORRELATION_ID_LENGTH}}}")


def is_valid_correlation_id(value: object) -> bool:
    return isinstance(value, str) and _CORRELATION_ID.fullmatch(value) is not None


def new_correlation_id() -> str:
    return str(uuid.uuid4())


def correlation_id_or_new(value: object) -> str:
    """`value` when it is a usable correlation id, otherwise a fresh one."""
    return value if is_valid_correlation_id(value) else new_correlation_id()  # type: ignore[return-value]


# W3C Trace Context: a `traceparent` that came with the request is kept with the case's events and
# queued work and passed on; none is made up (OpenTelemetry is not part of the platform).
traceparent_var: ContextVar[str] = ContextVar("traceparent", default="")
_TRACEPARENT = re.compile(r"00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}")


def accepted_traceparent(value: object) -> str:
    """`value` when it is a version-00 traceparent, otherwise "" (a malformed one is dropped, as the
    W3C recommendation says: the trace restarts rather than carry garbage)."""
    return value if isinstance(value, str) and _TRACEPARENT.fullmatch(value) else ""


def child_traceparent(traceparent: str) -> str:
    """The same trace, with this hop's own span id as the parent of what it calls."""
    _, trace_id, _, flags = traceparent.split("-")
    return f"00-{trace_id}-{secrets.token_hex(8)}-{flags}"


def correlation_headers() -> dict[str, str]:
    """The headers an outgoing request (a webhook, a hand-off) carries for the case at hand."""
    headers = {}
    if cid := correlation_id_var.get():
        headers["x-correlation-id"] = cid
    if traceparent := accepted_traceparent(traceparent_var.get()):
        headers["traceparent"] = child_traceparent(traceparent)
    return headers

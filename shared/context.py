"""Per-request and per-message context: the correlation id that follows a case across services.

A correlation id comes from outside (a request header, a message property) and is copied into
every event, AMQP property and webhook header of the case. AMQP short strings hold 255 bytes at
most: a 5,000-character id once made every later event of a service wait behind a row the broker
could never take. So an id is used only when it is short printable ASCII; anything else is replaced
by a fresh one and the original dropped (not logged, not echoed).
"""

import re
import uuid
from contextvars import ContextVar

correlation_id_var: ContextVar[str] = ContextVar("correlation_id", default="")

MAX_CORRELATION_ID_LENGTH = 128
# Visible ASCII only: no spaces, no control characters, nothing that needs encoding in a header.
_CORRELATION_ID = re.compile(r"[\x21-\x7e]{1,%d}" % MAX_CORRELATION_ID_LENGTH)


def is_valid_correlation_id(value: object) -> bool:
    return isinstance(value, str) and _CORRELATION_ID.fullmatch(value) is not None


def new_correlation_id() -> str:
    return str(uuid.uuid4())


def correlation_id_or_new(value: object) -> str:
    """`value` when it is a usable correlation id, otherwise a fresh one."""
    return value if is_valid_correlation_id(value) else new_correlation_id()  # type: ignore[return-value]


def correlation_headers() -> dict[str, str]:
    """The headers an outgoing request (a webhook, a hand-off) carries for the case at hand."""
    cid = correlation_id_var.get()
    return {"x-correlation-id": cid} if cid else {}

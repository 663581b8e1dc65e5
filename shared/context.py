"""Per-request and per-message context: the correlation id that follows a case across services."""

from contextvars import ContextVar

correlation_id_var: ContextVar[str] = ContextVar("correlation_id", default="")

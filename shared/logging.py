"""One logger: structlog, JSON lines on stderr, the correlation id bound to every line, and personal
data (resident ID numbers, credit codes, phone numbers, secrets) masked before anything is written."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import structlog
from structlog.typing import EventDict, Processor

from shared.context import correlation_id_var, traceparent_var

# 18-character resident ID / unified social credit code, and mainland mobile numbers, wherever
# they appear in a log value: the last line of defence if a caller logs a payload by mistake.
_ID_RE = re.compile(r"(?<![0-9A-Za-z])[0-9A-Z]{17}[0-9Xx](?![0-9A-Za-z])")
_PHONE_RE = re.compile(r"(?<!\d)(?:\+?86)?1[3-9]\d{9}(?!\d)")
_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_SECRET_RE = re.compile(r"(whsec_[A-Za-z0-9+/=]+|Bearer\s+[A-Za-z0-9._-]+)")
_SENSITIVE_KEYS = {"id_number", "phone", "password", "secret", "token", "authorization", "email", "address"}


def redact_text(text: str) -> str:
    text = _SECRET_RE.sub("[secret]", text)
    text = _ID_RE.sub(lambda m: m.group(0)[:6] + "********" + m.group(0)[-4:] if m.group(0)[:6].isdigit()
                      else "[id]", text)
    text = _EMAIL_RE.sub("[email]", text)
    return _PHONE_RE.sub("[phone]", text)


def _redact(value: Any) -> Any:
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        return {k: ("[redacted]" if str(k).lower() in _SENSITIVE_KEYS else _redact(v)) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_redact(v) for v in value]
    return value


def _redact_processor(_logger: Any, _name: str, event_dict: EventDict) -> EventDict:
    return _redact(event_dict)


def _add_correlation_id(_logger: Any, _name: str, event_dict: EventDict) -> EventDict:
    cid = correlation_id_var.get()
    if cid and "correlation_id" not in event_dict:
        event_dict["correlation_id"] = cid
    return event_dict


_configured = False


def configure_logging(level: str = "INFO") -> None:
    global _configured
    shared_processors: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        _add_correlation_id,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    structlog.configure(
        # filter_by_level first: a line below the level is dropped before the other processors run
        # (the consumers log one line per event; at WARNING that line used to cost its timestamp).
        processors=[structlog.stdlib.filter_by_level, *shared_processors,
                    structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared_processors,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            _redact_processor,
            structlog.processors.JSONRenderer(ensure_ascii=False),
        ],
    )
    root = logging.getLogger()
    if not _configured:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(formatter)
        handler.set_name("courtmed")
        root.handlers = [h for h in root.handlers if h.get_name() != "courtmed"] + [handler]
        _configured = True
    root.setLevel(level.upper())
    for noisy in ("aio_pika", "aiormq", "sqlalchemy", "httpx", "aiohttp", "uvicorn.access", "aiosmtplib", "asyncio"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


@contextmanager
def correlation_scope(correlation_id: str | None, traceparent: str | None = None) -> Iterator[None]:
    """Work done outside a request or a consumed event (a sweeper's case, notify's queued delivery or
    hand-off) under the correlation id (and trace) of the case it belongs to: on its log lines, its
    outgoing requests and the events it emits. Nothing is bound when the work has no id of its own."""
    if not correlation_id:
        yield
        return
    token = correlation_id_var.set(correlation_id)
    trace = traceparent_var.set(traceparent or "")
    try:
        with structlog.contextvars.bound_contextvars(correlation_id=correlation_id):
            yield
    finally:
        traceparent_var.reset(trace)
        correlation_id_var.reset(token)


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    return structlog.get_logger(name)

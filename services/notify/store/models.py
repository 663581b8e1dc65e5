"""Notify's own tables: webhook endpoints and their deliveries, hand-offs to the court, the parties'
contacts (personal data, kept only to send notices) and the notices themselves.

Every schedule (a delivery's, a hand-off's or a notice's next attempt) is a column here, never a
timer in memory: a killed process loses nothing, and several replicas share the work.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.notify.store.sealed import SealedSecret
from shared.db import UTCDateTime
from shared.idempotency import idempotency_keys
from shared.messaging import messaging_tables

# SQLite only autoincrements a plain INTEGER primary key.
SERIAL = BigInteger().with_variant(Integer, "sqlite")


class Base(DeclarativeBase):
    # Every model maps to a Table, which the store's Core statements use (SQLAlchemy types
    # __table__ as any FromClause).
    __table__: ClassVar[Table]


class WebhookEndpoint(Base):
    """A partner's (or ops', when partner_id is null) receiver of signed events."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    partner_id: Mapped[str | None] = mapped_column(String(20), index=True)
    url: Mapped[str] = mapped_column(Text)
    event_types: Mapped[list] = mapped_column(JSON)
    # HMAC signing needs the secret itself, unlike a password: encrypted at rest (store/sealed.py).
    secret: Mapped[str] = mapped_column(SealedSecret())
    previous_secret: Mapped[str | None] = mapped_column(SealedSecret())
    rotated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    disabled_reason: Mapped[str | None] = mapped_column(Text)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    first_failure_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_webhook_endpoints_created", "created_at", "id"),)


class WebhookMessage(Base):
    """One event as sent to every endpoint: the same body and webhook-id on every attempt."""

    __tablename__ = "webhook_messages"

    seq: Mapped[int] = mapped_column(SERIAL, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(40), unique=True)
    event_id: Mapped[str] = mapped_column(String(36), unique=True)
    event_type: Mapped[str] = mapped_column(String(64))
    case_id: Mapped[str] = mapped_column(String(36), index=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    body: Mapped[str] = mapped_column(Text)
    # the case's correlation id, sent as X-Correlation-Id with every delivery of the message, and
    # the caller's W3C trace, passed on as traceparent
    correlation_id: Mapped[str | None] = mapped_column(String(128))
    traceparent: Mapped[str | None] = mapped_column(String(55))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Delivery(Base):
    """One message to one endpoint, retried until it succeeds or its schedule is spent."""

    __tablename__ = "deliveries"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    endpoint_id: Mapped[str] = mapped_column(ForeignKey("webhook_endpoints.id"))
    message_seq: Mapped[int] = mapped_column(ForeignKey("webhook_messages.seq"))
    webhook_id: Mapped[str] = mapped_column(String(40))
    event_type: Mapped[str] = mapped_column(String(64))
    case_id: Mapped[str] = mapped_column(String(36))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # pending (waiting for an attempt), succeeded, failed (schedule spent), dead (endpoint gone).
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # Failures since the schedule last (re)started: a manual retry or replay starts it afresh.
    round_failures: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        UniqueConstraint("endpoint_id", "message_seq", name="uq_deliveries_endpoint_message"),
        Index("ix_deliveries_due", "status", "next_attempt_at"),
        Index("ix_deliveries_case_order", "endpoint_id", "case_id", "status", "occurred_at", "message_seq"),
        Index("ix_deliveries_listing", "endpoint_id", "created_at", "id"),
    )


class DeliveryAttempt(Base):
    """The delivery log: one row per HTTP attempt, with what the receiver answered."""

    __tablename__ = "delivery_attempts"

    id: Mapped[int] = mapped_column(SERIAL, primary_key=True, autoincrement=True)
    delivery_id: Mapped[str] = mapped_column(ForeignKey("deliveries.id"), index=True)
    attempt_no: Mapped[int] = mapped_column(Integer)
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    response_body: Mapped[str] = mapped_column(Text, default="")
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)


class Handoff(Base):
    """What goes to the court system, retried until the court acknowledges it with its number."""

    __tablename__ = "handoffs"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(36), index=True)
    type: Mapped[str] = mapped_column(String(40))
    court_code: Mapped[str | None] = mapped_column(String(10), index=True)
    # The partner that mediated, so it may read its own cases' hand-offs.
    partner_id: Mapped[str | None] = mapped_column(String(20), index=True)
    document: Mapped[dict] = mapped_column(JSON)
    # pending (not yet accepted), sent (accepted, awaiting the court's number), acknowledged, failed.
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    court_case_number: Mapped[str | None] = mapped_column(String(100))
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # the case's correlation id: sent to the court as X-Correlation-Id, carried by handoff.* events;
    # the caller's W3C trace, passed on as traceparent
    correlation_id: Mapped[str | None] = mapped_column(String(128))
    traceparent: Mapped[str | None] = mapped_column(String(55))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_handoffs_due", "status", "next_attempt_at"),
                      Index("ix_handoffs_listing", "created_at", "id"))


class CaseFacts(Base):
    """What notify knows of a case from events: enough to address hand-offs, webhooks and notices."""

    __tablename__ = "case_facts"

    case_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    court_code: Mapped[str | None] = mapped_column(String(10))
    stage: Mapped[str | None] = mapped_column(String(20))
    mode: Mapped[str | None] = mapped_column(String(20))
    procedure: Mapped[str | None] = mapped_column(String(10))
    category: Mapped[str | None] = mapped_column(String(40))
    case_number: Mapped[str | None] = mapped_column(String(60))
    court_case_number: Mapped[str | None] = mapped_column(String(100))
    partner_id: Mapped[str | None] = mapped_column(String(20))
    partner_name: Mapped[str | None] = mapped_column(String(200))
    period_days: Mapped[int | None] = mapped_column(Integer)
    party_ids: Mapped[list] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Contact(Base):
    """A party's email and phone, from case.received. Personal data: read only to send a notice."""

    __tablename__ = "contacts"

    case_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    party_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    role: Mapped[str | None] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(32))


class Notice(Base):
    """A notice to one party by one channel; the address is looked up in `contacts` when sending."""

    __tablename__ = "notices"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(36), index=True)
    event_id: Mapped[str] = mapped_column(String(36))
    party_id: Mapped[str] = mapped_column(String(36))
    kind: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(10))
    # pending, sent, skipped (channel not configured), failed, cancelled (no longer relevant).
    status: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    sms_template: Mapped[str] = mapped_column(String(40))
    sms_params: Mapped[dict] = mapped_column(JSON, default=dict)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        UniqueConstraint("event_id", "party_id", "channel", "kind", name="uq_notices_event_party_channel"),
        Index("ix_notices_due", "status", "due_at"),
    )


IDEMPOTENCY_KEYS = idempotency_keys(Base.metadata)
MESSAGING = messaging_tables(Base.metadata)

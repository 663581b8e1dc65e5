"""Intake's own tables: the dispute as filed, its parties (personal data), case numbers,
idempotency keys and the clerk's read model with its timeline."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import ClassVar

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, Numeric, String, Table, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from services.intake.store.sealed import SealedPersonal
from shared.db import UTCDateTime
from shared.idempotency import idempotency_keys
from shared.messaging import messaging_tables


class Base(DeclarativeBase):
    # Every model maps to a Table, which the store's Core statements use (SQLAlchemy types
    # __table__ as any FromClause).
    __table__: ClassVar[Table]


class Case(Base):
    __tablename__ = "cases"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    court_code: Mapped[str] = mapped_column(String(6), index=True)
    external_ref: Mapped[str | None] = mapped_column(String(100))
    stage: Mapped[str] = mapped_column(String(20))
    procedure: Mapped[str | None] = mapped_column(String(10))
    court_case_number: Mapped[str | None] = mapped_column(String(100))
    category: Mapped[str] = mapped_column(String(40))
    summary: Mapped[str] = mapped_column(Text, default="")
    claim_amount: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    district: Mapped[str] = mapped_column(String(6))
    preferred_partner_id: Mapped[str | None] = mapped_column(String(20))
    direct_partner_id: Mapped[str | None] = mapped_column(String(20))
    case_number: Mapped[str | None] = mapped_column(String(60), unique=True)
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The read model, fed by events from every service.
    status: Mapped[str] = mapped_column(String(20), default="received", index=True)
    partner_id: Mapped[str | None] = mapped_column(String(20), index=True)
    view: Mapped[dict] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    parties: Mapped[list[Party]] = relationship(back_populates="case", order_by="Party.position",
                                                  lazy="selectin", cascade="all, delete-orphan")

    __table_args__ = (Index("ix_cases_court_created", "court_code", "created_at", "id"),)


class Party(Base):
    __tablename__ = "parties"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    # Sealed at rest (store/sealed.py); a lookup by id number compares id_number_hash, its keyed hash.
    id_number: Mapped[str] = mapped_column(SealedPersonal())
    id_number_hash: Mapped[str] = mapped_column(String(64), index=True)
    phone: Mapped[str | None] = mapped_column(SealedPersonal())
    email: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(300))
    representative: Mapped[dict | None] = mapped_column(JSON)
    consents_to_mediation: Mapped[bool] = mapped_column(Boolean)

    case: Mapped[Case] = relationship(back_populates="parties")


class TimelineRow(Base):
    __tablename__ = "timeline"

    event_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    type: Mapped[str] = mapped_column(String(64))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    source: Mapped[str] = mapped_column(String(20))
    data: Mapped[dict] = mapped_column(JSON, default=dict)


class CaseNumberCounter(Base):
    """The last sequence given per court and year: incremented under a row lock in the transaction
    that creates the case, so numbers are gapless (a rollback gives the number back)."""

    __tablename__ = "case_number_counters"

    court_code: Mapped[str] = mapped_column(String(6), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_sequence: Mapped[int] = mapped_column(Integer, default=0)


IDEMPOTENCY_KEYS = idempotency_keys(Base.metadata)
MESSAGING = messaging_tables(Base.metadata)

"""Mediation's own tables: the case at the partner (offer, mediator, deadline, outcome)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.db import UTCDateTime
from shared.messaging import messaging_tables


class Base(DeclarativeBase):
    pass


class Mediation(Base):
    __tablename__ = "mediations"

    case_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    partner_id: Mapped[str] = mapped_column(String(20), index=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    mode: Mapped[str] = mapped_column(String(20))
    attempt: Mapped[int] = mapped_column(Integer, default=1)
    period_days: Mapped[int | None] = mapped_column(Integer)
    case_snapshot: Mapped[dict] = mapped_column(JSON, default=dict)
    offered_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


MESSAGING = messaging_tables(Base.metadata)

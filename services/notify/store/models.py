"""Notify's own tables."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.db import UTCDateTime
from shared.messaging import messaging_tables


class Base(DeclarativeBase):
    pass


class SeenEvent(Base):
    """Every event notify took in: the source of webhook deliveries, notices and hand-offs."""

    __tablename__ = "seen_events"

    event_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(36), index=True)
    type: Mapped[str] = mapped_column(String(64))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())


MESSAGING = messaging_tables(Base.metadata)

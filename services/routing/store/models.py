"""Routing's own tables: the roster, rulesets, the cases it routes, its decisions and capacity counts."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from sqlalchemy import JSON, Boolean, Index, Integer, String, Table, UniqueConstraint, false
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.db import UTCDateTime
from shared.holiday_rows import HolidayYearColumns
from shared.messaging import messaging_tables


class Base(DeclarativeBase):
    # Every model maps to a Table, which the store's Core statements use (SQLAlchemy types
    # __table__ as any FromClause).
    __table__: ClassVar[Table]


class PartnerRow(Base):
    """One partner body; `document` is its roster entry, `capacity` and `active` are ops-editable,
    `open_cases` counts the cases routed to it and not yet finished or declined."""

    __tablename__ = "partners"

    id: Mapped[str] = mapped_column(String(20), primary_key=True)
    document: Mapped[dict] = mapped_column(JSON)
    capacity: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    open_cases: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class RosterRevision(Base):
    """One row counting roster changes. Every process compares it with the revision its cached
    index was built from, so a PATCH in one replica reaches the others at their next decision;
    a counter, unlike max(updated_at), cannot be fooled by clock skew or two changes in one tick."""

    __tablename__ = "roster_revision"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    revision: Mapped[int] = mapped_column(Integer, default=0)


class RulesetRow(Base):
    __tablename__ = "rulesets"

    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    document: Mapped[dict] = mapped_column(JSON)
    installed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    installed_by: Mapped[str] = mapped_column(String(120))


class RoutedCase(Base):
    """What routing keeps of a case to route it again: the facts it needs, the pinned pack and
    ruleset, the partners that declined, and who holds the case against its capacity."""

    __tablename__ = "routed_cases"

    case_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    facts: Mapped[dict] = mapped_column(JSON)
    policy_pack: Mapped[str] = mapped_column(String(20))
    ruleset_version: Mapped[int] = mapped_column(Integer)
    attempt: Mapped[int] = mapped_column(Integer, default=0)
    declined: Mapped[list] = mapped_column(JSON, default=list)
    holder_partner_id: Mapped[str | None] = mapped_column(String(20))
    closed: Mapped[bool] = mapped_column(Boolean, default=False)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # the parties' joint choice window (2021 Art 10), when the ruleset gives one: until it closes the
    # case waits for their choice; then the rules designate a partner
    choice_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    # the window (opened at received_at) reached a year known only by its fixed holidays: computed
    # again when that year's arrangement arrives (actions/calendar.py)
    choice_calendar_provisional: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


# The few windows waiting for a year's notice, among every case routing ever kept.
Index("ix_routed_cases_choice_provisional", RoutedCase.case_id,
      postgresql_where=RoutedCase.choice_calendar_provisional.is_(True),
      sqlite_where=RoutedCase.choice_calendar_provisional.is_(True))


class HolidayYear(HolidayYearColumns, Base):
    """Routing's copy of mediation's holiday table: every version of every year that arrived as
    `calendar.year_loaded`. The newest version of a year is in force, over what the code ships."""

    __tablename__ = "holiday_years"

    received_at: Mapped[datetime] = mapped_column(UTCDateTime())


class DecisionRow(Base):
    __tablename__ = "decisions"
    __table_args__ = (UniqueConstraint("case_id", "attempt", name="uq_decisions_case_attempt"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(String(36), index=True)
    attempt: Mapped[int] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(20))
    partner_id: Mapped[str | None] = mapped_column(String(20))
    document: Mapped[dict] = mapped_column(JSON)
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime())


MESSAGING = messaging_tables(Base.metadata)

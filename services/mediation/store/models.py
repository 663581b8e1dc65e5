"""Mediation's own tables: the case at the partner (offer, first contact, mediator, deadline,
outcome), its append-only audit trail, contacts with the parties, sessions, extensions with each
party's consent, recusal waivers, the receipts that feed the statistics, the mediators' web-client
accounts and the Idempotency-Keys of its creating POSTs."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from sqlalchemy import JSON, BigInteger, Boolean, Index, Integer, String, Table, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.db import UTCDateTime
from shared.holiday_rows import HolidayYearColumns
from shared.idempotency import idempotency_keys
from shared.messaging import messaging_tables

# SQLite only autoincrements an INTEGER PRIMARY KEY
_BIG_ID = BigInteger().with_variant(Integer, "sqlite")


class Base(DeclarativeBase):
    # Every model maps to a Table, which the store's Core statements use (SQLAlchemy types
    # __table__ as any FromClause).
    __table__: ClassVar[Table]


class Mediation(Base):
    """One case as it lives at its current partner; re-opened in place when routing re-routes it."""

    __tablename__ = "mediations"

    case_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    partner_id: Mapped[str] = mapped_column(String(20), index=True)
    partner_name: Mapped[str | None] = mapped_column(String(200))
    mode: Mapped[str] = mapped_column(String(20))
    attempt: Mapped[int] = mapped_column(Integer, default=1)
    policy_pack: Mapped[str] = mapped_column(String(20), default="spc-2016")
    ruleset_version: Mapped[int | None] = mapped_column(Integer)
    # the pack's extension limit as the routing decision carried it: {"max_extensions", "max_days"}
    extension_rule: Mapped[dict | None] = mapped_column(JSON)
    # the dispute as routing forwarded it (parties included): mediation never reads intake's database
    case_snapshot: Mapped[dict] = mapped_column(JSON, default=dict)
    mediators: Mapped[list] = mapped_column(JSON, default=list)
    mediator_id: Mapped[str | None] = mapped_column(String(40))
    court_code: Mapped[str | None] = mapped_column(String(6))
    category: Mapped[str | None] = mapped_column(String(40))
    district: Mapped[str | None] = mapped_column(String(6))
    case_number: Mapped[str | None] = mapped_column(String(60))
    # the offer (2021 Art 12)
    offered_at: Mapped[datetime] = mapped_column(UTCDateTime())
    offer_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # True while a window or the deadline rests on a year the calendar knows only by its fixed
    # statutory holidays: shown as `calendar_provisional`, recomputed when ops load that year
    offer_calendar_provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    # the clock (2021 Art 24, 26; 2016 Art 27)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    period_days: Mapped[int] = mapped_column(Integer)
    pauses: Mapped[list] = mapped_column(JSON, default=list)
    extension_days: Mapped[list] = mapped_column(JSON, default=list)
    # kept current on every change so the sweeper finds overdue cases by index; NULL while paused
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    due_calendar_provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    # the first contact with the other party (2021 Art 15): due within 3 working days of acceptance;
    # contacted_at is the earliest contact recorded (or session scheduled), NULL until then
    contact_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    contacted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    contact_calendar_provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    # the ending
    outcome: Mapped[str | None] = mapped_column(String(20))
    outcome_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    outcome_detail: Mapped[dict | None] = mapped_column(JSON)
    handoff_type: Mapped[str | None] = mapped_column(String(30))
    # after a settlement whose hand-off is judicial confirmation: the parties' 30 days to apply
    # (民事诉讼法 Art 205), moved off a rest day by Art 85
    confirmation_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    confirmation_calendar_provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    # facts every party signed as undisputed during the mediation ([{"text", "signed_by"}]): they go to
    # the court with an ending that records none itself (expiry, no contact), 2016 Art 22
    undisputed_facts: Mapped[list | None] = mapped_column(JSON)
    # the case's correlation id (from case.routed): what the sweepers' events and log lines carry,
    # since a sweeper moves the case outside any request or event of its own
    correlation_id: Mapped[str | None] = mapped_column(String(128))
    # statistics: the first routing, not the latest re-route
    routed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # optimistic check on every UPDATE: a transition made from a stale read fails instead of doubling
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        Index("ix_mediations_sweep_offer", "status", "offer_closes_at"),
        Index("ix_mediations_sweep_deadline", "status", "due_at"),
        Index("ix_mediations_sweep_contact", "status", "contact_due_at"),
        Index("ix_mediations_partner_list", "partner_id", "routed_at", "case_id"),
    )


class HolidayYear(HolidayYearColumns, Base):
    """One version of one year's holiday arrangement (国务院办公厅关于某年部分节假日安排的通知):
    the rest days of its public holidays and its make-up working days. Rows are only added: the
    newest version of a year is in force, the older ones and who loaded each stay as the record."""

    __tablename__ = "holiday_years"

    loaded_by: Mapped[str] = mapped_column(String(120))


class Receipt(Base):
    """case.received: every case the court sent, routed or not, for `received` in the statistics."""

    __tablename__ = "receipts"

    case_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    court_code: Mapped[str | None] = mapped_column(String(6))
    category: Mapped[str | None] = mapped_column(String(40))
    district: Mapped[str | None] = mapped_column(String(6))
    mode: Mapped[str | None] = mapped_column(String(20))
    # The case as intake sent it (parties included): case.routed carries no party.
    case_snapshot: Mapped[dict | None] = mapped_column(JSON)
    # case.withdrawn that arrived before any offer existed: no offer may open afterwards.
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # case.unroutable: no partner could take the case; where it went back to (docket, resume_trial)
    unroutable_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    return_to_court: Mapped[str | None] = mapped_column(String(20))


class AuditEntry(Base):
    """Append-only: rows are inserted by `actions.core.transition` and never updated or deleted."""

    __tablename__ = "audit_trail"

    id: Mapped[int] = mapped_column(_BIG_ID, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(String(36), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    role: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[str | None] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(30))
    from_status: Mapped[str] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)
    partner_id: Mapped[str | None] = mapped_column(String(20))
    attempt: Mapped[int | None] = mapped_column(Integer)


class Contact(Base):
    """One contact the mediator made with a party (2021 Art 15): who, how, when, recorded by whom."""

    __tablename__ = "contacts"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(36), index=True)
    party_id: Mapped[str] = mapped_column(String(36))
    channel: Mapped[str] = mapped_column(String(20))
    contacted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_by: Mapped[str] = mapped_column(String(120))


class Session(Base):
    __tablename__ = "sessions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(36), index=True)
    scheduled_at: Mapped[datetime] = mapped_column(UTCDateTime())
    location: Mapped[str | None] = mapped_column(String(300))
    online: Mapped[bool] = mapped_column(Boolean, default=False)
    mediator_id: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(120))


class Extension(Base):
    __tablename__ = "extensions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(36), index=True)
    days: Mapped[int] = mapped_column(Integer)
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    granted_by: Mapped[str] = mapped_column(String(120))
    new_due_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ExtensionConsent(Base):
    """One party's consent to one extension (2016 Art 27), recorded per party."""

    __tablename__ = "extension_consents"

    extension_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    party_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(36), index=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())


class RecusalWaiver(Base):
    """A party's waiver of one declared conflict of one mediator after disclosure (2016 Art 15)."""

    __tablename__ = "recusal_waivers"

    id: Mapped[int] = mapped_column(_BIG_ID, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(String(36), index=True)
    mediator_id: Mapped[str] = mapped_column(String(40))
    party_id: Mapped[str] = mapped_column(String(36))
    conflict_kind: Mapped[str] = mapped_column(String(30))
    conflict_value: Mapped[str] = mapped_column(String(200))
    disclosed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    waived_at: Mapped[datetime] = mapped_column(UTCDateTime())


class MediatorAccount(Base):
    """A mediator's sign-in for the web client; the password is kept only as an argon2 hash."""

    __tablename__ = "mediator_accounts"

    mediator_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    partner_id: Mapped[str] = mapped_column(String(20), index=True)
    name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # an initial password (the demo one, or one ops issued) only lets the mediator choose their own
    must_set_password: Mapped[bool] = mapped_column(Boolean, default=True)
    password_set_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class UiSession(Base):
    """A web-client session, held on the server so that signing out and the idle timeout end it:
    the cookie carries a random token, the table only its SHA-256."""

    __tablename__ = "ui_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    mediator_id: Mapped[str] = mapped_column(String(40), index=True)
    partner_id: Mapped[str] = mapped_column(String(20))
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class SignInThrottle(Base):
    """Wrong passwords per mediator id (known or not), for the growing delay (domain/signin.py)."""

    __tablename__ = "sign_in_throttle"

    mediator_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    first_failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())


IDEMPOTENCY_KEYS = idempotency_keys(Base.metadata)
MESSAGING = messaging_tables(Base.metadata)

"""What the mediation API answers, for the OpenAPI document (views.py, calendar.py and stats.py build
the dicts). Fields are declared in the order the views write them, so an answer keeps its bytes; a
key that is always written is required, even when it may be null. Lists mask personal data; the
detail shows parties in full only to the partner and its mediators (views.py decides, not these)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from shared.openapi import Day, Number, ResponseModel, Timestamp

# --- mediations ------------------------------------------------------------------------------

class MediationParty(ResponseModel):
    party_id: str | None
    role: str | None
    kind: str | None
    name: str | None = Field(description="Masked unless the caller is the partner or its mediator, in the detail.")
    id_number: str | None = Field(description="Masked unless the caller is the partner or its mediator, in the detail.")
    law_firm: str | None
    consents_to_mediation: bool | None


class Offer(ResponseModel):
    offered_at: Timestamp | None
    closes_at: Timestamp | None = Field(description="3 working days to accept or decline (2021 Art 12).")
    calendar_provisional: bool


class Deadline(ResponseModel):
    period_days: int | None
    accepted_at: Timestamp | None
    due_at: Timestamp | None = Field(description="The period's end, pauses and extensions applied.")
    calendar_provisional: bool
    paused: bool
    pauses: list[dict[str, Any]]
    extension_days: list[int]


class ContactWindow(ResponseModel):
    opened_at: Timestamp | None
    due_at: Timestamp | None
    contacted_at: Timestamp | None
    calendar_provisional: bool


class JudicialConfirmation(ResponseModel):
    """The parties' 30 days to apply for judicial confirmation (民事诉讼法 Art 205)."""

    applies_until: Timestamp | None
    days: int
    calendar_provisional: bool


class MediationSummary(ResponseModel):
    """A mediation as lists show it (personal data masked)."""

    case_id: str
    status: str
    partner_id: str | None
    mode: str | None
    attempt: int | None
    case_number: str | None
    court_case_number: str | None
    court_code: str | None
    category: str | None
    district: str | None
    mediator_id: str | None
    parties: list[MediationParty]
    offer: Offer
    deadline: Deadline | None = Field(description="Once accepted.")
    contact_due_at: Timestamp | None
    contacted_at: Timestamp | None
    contact_window: ContactWindow | None
    judicial_confirmation: JudicialConfirmation | None
    outcome: str | None
    handoff_type: str | None
    routed_at: Timestamp | None
    updated_at: Timestamp | None


class MediationList(ResponseModel):
    items: list[MediationSummary]
    next_cursor: str | None


class MediatorSummary(ResponseModel):
    id: str | None
    name: str | None
    specialties: list[str]


class ContactRecord(ResponseModel):
    id: str
    party_id: str
    channel: str
    contacted_at: Timestamp | None
    recorded_at: Timestamp | None
    recorded_by: str | None


class SessionRecord(ResponseModel):
    id: str
    scheduled_at: Timestamp | None
    location: str | None
    online: bool
    mediator_id: str | None
    created_at: Timestamp | None


class ExtensionRecord(ResponseModel):
    id: str
    days: int
    granted_at: Timestamp | None
    deadline: Timestamp | None
    consents: list[str] = Field(description="The ids of the parties who consented.")


class AuditRecord(ResponseModel):
    at: Timestamp | None
    role: str
    actor_id: str | None
    action: str
    from_: str | None = Field(alias="from")
    to: str | None
    reason: str | None
    partner_id: str | None
    attempt: int | None


class MediationView(MediationSummary):
    """One mediation with its deadline, sessions, extensions and audit trail: the answer of every action."""

    # The detail answers the whole outcome where lists name only its result (the contract's two
    # shapes); pydantic allows a subclass to redeclare a field, mypy holds it to the base's type.
    outcome: dict[str, Any] | None = Field(  # type: ignore[assignment]
        description="The recorded outcome's fields (the note only for the partner and its mediators), then "
                    "`result`, `at` and `handoff_type`; null until there is one.")
    partner_name: str | None
    policy_pack: str | None
    extension_rule: dict[str, Any] | None
    stage: str | None
    procedure: str | None
    claim_amount: str | None
    mediators: list[MediatorSummary]
    accepted_at: Timestamp | None
    undisputed_facts: list[dict[str, Any]]
    allowed_actions: list[str] = Field(description="What the caller may do now.")
    contacts: list[ContactRecord]
    sessions: list[SessionRecord]
    extensions: list[ExtensionRecord]
    audit: list[AuditRecord]


class WaivedConflict(ResponseModel):
    kind: str
    party_ids: list[str]
    waived_by: list[str]


class MediatorAssigned(MediationView):
    waived_conflicts: list[WaivedConflict] = Field(description="The conflicts every party waived after disclosure.")


class ContactMade(ResponseModel):
    id: str
    party_id: str
    channel: str
    contacted_at: Timestamp | None


class ContactRecorded(MediationView):
    contact: ContactMade


class SessionMade(ResponseModel):
    id: str
    scheduled_at: Timestamp | None
    location: str | None
    online: bool


class SessionScheduled(MediationView):
    session: SessionMade


class ExtensionMade(ResponseModel):
    id: str
    days: int
    consents: list[str]


class PeriodExtended(MediationView):
    extension: ExtensionMade
    new_deadline: Timestamp | None


# --- statistics ------------------------------------------------------------------------------

class StatsRow(ResponseModel):
    """One group's figures (domain/stats.py has their definitions)."""

    key: str | None = Field(description="The group: a partner id, category, mode, district or month; null: none.")
    received: int
    routed: int
    accepted: int
    settled: int
    failed: int
    withdrawn: int
    expired: int
    settlement_rate: Number | None
    median_days_to_outcome: Number | None
    open_now: int | None
    overdue_now: int | None
    unroutable: int
    returned_to_court: int
    declined: int
    lapsed: int
    withdrawn_before_acceptance: int


class StatsReport(ResponseModel):
    from_: Timestamp = Field(alias="from")
    to: Timestamp
    now: Timestamp
    group_by: str
    partner_id: str | None = Field(description="A partner's own figures; null for ops and the bureau.")
    groups: list[StatsRow]
    total: StatsRow


# --- the calendar ----------------------------------------------------------------------------

class YearSummary(ResponseModel):
    year: int
    version: int = Field(description="0: shipped with the code; 1, 2, ...: the versions ops loaded.")
    source: str
    notice: str | None
    provisional: bool = Field(description="Only the fixed statutory holidays are known for this year.")


class YearList(ResponseModel):
    items: list[YearSummary]
    confirmed_until: int | None


class YearView(YearSummary):
    holidays: list[Day]
    make_up_working_days: list[Day]
    statutory_holidays: dict[str, str] = Field(description="Date: the holiday's name.")
    warning: str | None = Field(None, description="Only for a provisional year: what that means.")


class YearVersion(ResponseModel):
    version: int
    source: str
    notice: str | None
    provisional: bool
    loaded_at: Timestamp | None
    loaded_by: str


class YearWithVersions(YearView):
    versions: list[YearVersion]


class YearLoaded(YearView):
    loaded_at: Timestamp | None
    loaded_by: str
    recomputed: int = Field(description="How many provisional windows and deadlines were recomputed.")

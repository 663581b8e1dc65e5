"""Every refusal an action can raise reads in Chinese on the workbench, beside the form field at
fault, and names no internal field or code word."""

import re
from datetime import datetime, timezone

import pytest

from services.mediation.actions.offers import OfferLapsed
from services.mediation.actions.staffing import UnknownMediator
from services.mediation.domain.contact import ContactWindowClosed, InvalidContact
from services.mediation.domain.deadline import ExtensionRefused, InvalidPause, RefusalReason
from services.mediation.domain.machine import Forbidden, IllegalTransition
from services.mediation.domain.outcome import FieldError, InvalidOutcome
from services.mediation.domain.recusal import AssignmentRefused
from services.mediation.domain.states import Action, MediationStatus, Role
from services.mediation.web.refusals import Refused, in_chinese, outcome_fields

AT = datetime(2026, 12, 7, 16, tzinfo=timezone.utc)
REFUSALS = [
    Forbidden(MediationStatus.OFFERED, Action.CLOSE, Role.MEDIATOR, "role mediator may not close"),
    IllegalTransition(MediationStatus.SETTLED, Action.PAUSE, Role.MEDIATOR, "cannot pause"),
    InvalidOutcome([FieldError("agreement.signed_by", "not signed by: x")]),
    OfferLapsed(AT.isoformat()),
    InvalidContact("contacted_at", "a contact cannot be recorded ahead of time"),
    ContactWindowClosed(AT),
    InvalidPause("already paused"),
    UnknownMediator("P99-M01"),
    AssignmentRefused("conflict"),
    *[ExtensionRefused(reason, "refused") for reason in RefusalReason],
]
_ENGLISH = re.compile(r"[A-Za-z_]{3,}")


@pytest.mark.parametrize("refusal", REFUSALS, ids=lambda r: type(r).__name__)
def test_every_refusal_reads_in_chinese(refusal):
    with pytest.raises(Refused) as refused:
        with in_chinese():
            raise refusal
    words = [refused.value.message, *refused.value.fields.values()]
    assert all(not _ENGLISH.search(w) for w in words), words
    assert all(re.match(r"^[a-z_]+$", field) for field in refused.value.fields)


def test_outcome_errors_land_on_the_outcome_forms_fields():
    fields = outcome_fields([FieldError("agreement.terms", "x"), FieldError("agreement.signed_by", "x"),
                             FieldError("undisputed_facts[1].signed_by", "x"), FieldError("ground", "x"),
                             FieldError("note", "x"), FieldError("agreement.decides_ownership", "x")])
    assert set(fields) == {"terms", "signed_by", "facts_signed_by", "ground", "note",
                           "apply_for_judicial_confirmation"}

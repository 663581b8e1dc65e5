"""The first contact with the other party (2021 Art 15): which contact counts, and what is refused."""

from datetime import datetime, timedelta, timezone

import pytest

from services.mediation.domain.contact import ContactWindowClosed, InvalidContact, check_contact, first_contact_after

SHANGHAI = timezone(timedelta(hours=8))
ACCEPTED = datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI)
DUE = datetime(2026, 3, 6, tzinfo=SHANGHAI)
PARTIES = ["applicant-id", "respondent-id"]


def test_a_first_contact_inside_the_window_counts():
    at = DUE - timedelta(seconds=1)
    assert first_contact_after(contacted_at=None, contact_due_at=DUE, at=at) == at


def test_a_first_contact_at_the_close_of_the_window_is_refused():
    with pytest.raises(ContactWindowClosed) as closed:
        first_contact_after(contacted_at=None, contact_due_at=DUE, at=DUE)
    assert closed.value.closes_at == DUE


def test_the_earliest_contact_counts_and_later_ones_never_lapse():
    first = ACCEPTED + timedelta(days=1)
    assert first_contact_after(contacted_at=first, contact_due_at=DUE, at=DUE + timedelta(days=5)) == first
    earlier = ACCEPTED + timedelta(hours=1)
    assert first_contact_after(contacted_at=first, contact_due_at=DUE, at=earlier) == earlier


def test_a_case_without_a_window_has_nothing_to_miss():
    late = DUE + timedelta(days=30)
    assert first_contact_after(contacted_at=None, contact_due_at=None, at=late) == late


@pytest.mark.parametrize(("party_id", "at", "field"), [
    ("stranger", ACCEPTED + timedelta(hours=1), "party_id"),
    ("respondent-id", ACCEPTED + timedelta(days=2), "contacted_at"),  # after now
    ("respondent-id", ACCEPTED - timedelta(minutes=1), "contacted_at"),  # before acceptance
])
def test_refused_contacts_name_the_field(party_id, at, field):
    with pytest.raises(InvalidContact) as refused:
        check_contact(party_id=party_id, parties=PARTIES, at=at, accepted_at=ACCEPTED,
                      now=ACCEPTED + timedelta(days=1))
    assert refused.value.field == field


def test_a_contact_with_a_party_between_acceptance_and_now_passes():
    check_contact(party_id="respondent-id", parties=PARTIES, at=ACCEPTED, accepted_at=ACCEPTED,
                  now=ACCEPTED + timedelta(days=1))

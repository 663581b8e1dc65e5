"""The mediator's first contact with the other party (2021 Art 15): within 3 working days of
acceptance (`offer.first_contact_window`), else mediation ends as `party_unreachable`.

A contact is recorded with the party, the channel and when it happened; scheduling a session counts
as one too. Only the first contact decides the window; later ones are kept for the record."""

from datetime import datetime
from enum import StrEnum


class Channel(StrEnum):
    PHONE = "phone"
    SMS = "sms"
    EMAIL = "email"
    IN_PERSON = "in_person"
    ONLINE = "online"


class InvalidContact(ValueError):
    """Answered as 422 naming the field at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class ContactWindowClosed(Exception):
    """The first contact came at or after the window's close: the case already counts as ended on
    `party_unreachable`, which the sweeper records at its next pass (as a lapsed offer is a decline)."""

    def __init__(self, closes_at: datetime) -> None:
        super().__init__(closes_at.isoformat())
        self.closes_at = closes_at


def first_contact_after(*, contacted_at: datetime | None, contact_due_at: datetime | None,
                        at: datetime) -> datetime:
    """The case's first contact once a contact made `at` is added: the earliest one counts. A first
    contact at or after the window's close is refused; a case with no window (accepted before the
    window was recorded) has nothing to miss."""
    if contacted_at is not None:
        return min(contacted_at, at)
    if contact_due_at is not None and at >= contact_due_at:
        raise ContactWindowClosed(contact_due_at)
    return at


def check_contact(*, party_id: str, parties: list[str], at: datetime, accepted_at: datetime | None,
                  now: datetime) -> None:
    """InvalidContact unless the party is one of the case's and `at` lies between acceptance and now."""
    if party_id not in parties:
        raise InvalidContact("party_id", "not a party of this case")
    if at > now:
        raise InvalidContact("contacted_at", "a contact cannot be recorded ahead of time")
    if accepted_at is not None and at < accepted_at:
        raise InvalidContact("contacted_at", "before the partner accepted the case")

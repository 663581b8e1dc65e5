"""The period's edges: a one-day period and a one-day extension, a pause at the very instant the
clock may stop, the calendar ops loaded (民事诉讼法 Art 85), a pack without the Art 85 rule, and the
exact refusal each mistake gets (InvalidPause is answered as 409 with its text; ExtensionRefused's
detail and party ids are the problem document's)."""

from datetime import datetime, timedelta

import pytest

from services.mediation.domain import deadline as deadline_rules
from services.mediation.domain.calendar import SHANGHAI
from services.mediation.domain.deadline import (
    Deadline,
    ExtensionLimit,
    ExtensionRefused,
    ExtensionRequest,
    InvalidPause,
    Pause,
    RefusalReason,
    ends_off_rest_days,
    grant_extension,
    is_overdue,
)
from shared.holidays import CalendarInstant
from tests.unit.mediation.calendars import loaded_2027


def at(day: int, hour: int = 0, month: int = 3, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, tzinfo=SHANGHAI)


ACCEPTED = at(2, 10)  # Monday 2026-03-02, 10:00
PARTIES = ("A1", "R1", "T1")


def thirty_days(**fields) -> Deadline:
    return Deadline(accepted_at=ACCEPTED, period_days=30, **fields)


def everyone(days: int) -> ExtensionRequest:
    return ExtensionRequest(days=days, consenting_party_ids=frozenset(PARTIES))


# -- the period (2021 Art 24; 民事诉讼法 Art 85) ----------------------------------------------------

def test_art24_a_one_day_period_ends_with_the_day_after_acceptance():
    assert Deadline(accepted_at=ACCEPTED, period_days=1).due_at(ACCEPTED) == at(4)  # Tuesday 3 March's end


@pytest.mark.parametrize("days", [0, -30])
def test_a_period_of_no_days_is_refused_saying_so(days):
    with pytest.raises(ValueError, match=r"^period_days must be positive$"):
        Deadline(accepted_at=ACCEPTED, period_days=days)


def test_a_naive_acceptance_is_refused_saying_so():
    with pytest.raises(ValueError, match=r"^accepted_at must be an aware datetime$"):
        Deadline(accepted_at=datetime(2026, 3, 2, 10), period_days=30)


def test_art85_the_period_ends_off_a_holiday_of_the_calendar_ops_loaded():
    # accepted Sunday 2027-01-10: 30 days end with Tuesday 9 February, a working day as shipped (the
    # statutory 春节 is 5-8 February) but a holiday of the loaded notice (5-11 February): the period
    # runs to the end of Friday 12 February, and rests on a year no longer provisional
    accepted = at(10, 10, month=1, year=2027)
    shipped = Deadline(accepted_at=accepted, period_days=30)
    loaded = Deadline(accepted_at=accepted, period_days=30, calendar=loaded_2027())
    assert shipped.due(accepted) == CalendarInstant(at=at(10, month=2, year=2027), provisional=True)
    assert loaded.due(accepted) == CalendarInstant(at=at(13, month=2, year=2027), provisional=False)


def test_a_pack_without_the_art85_rule_ends_the_period_on_its_saturday():
    # ten days of pause put the last day on Saturday 2026-04-11; with Art 85 it runs to Monday
    paused = thirty_days(ends_off_rest_days=False).pause(at(5, 9)).resume(at(15, 9))
    assert paused.due(at(20)) == CalendarInstant(at=at(12, month=4), provisional=False)
    with_art85 = thirty_days().pause(at(5, 9)).resume(at(15, 9))
    assert with_art85.due(at(20)) == CalendarInstant(at=at(14, month=4), provisional=False)


@pytest.mark.parametrize("pack", ["spc-2016", "spc-2025", None, "", "spc-2031"])
def test_art85_every_pack_and_an_unknown_one_end_a_period_off_rest_days(pack):
    assert ends_off_rest_days(pack) is True


def test_a_pack_that_says_otherwise_is_followed(monkeypatch):
    # the table is where a pack would say so (Art 85 binds both packs today)
    monkeypatch.setattr(deadline_rules, "PERIOD_ENDS_OFF_REST_DAYS",
                        {"spc-2016": True, "lenient": False})
    assert ends_off_rest_days("lenient") is False
    assert ends_off_rest_days("spc-2016") is True
    assert ends_off_rest_days("spc-2031") is True


# -- pauses (2021 Art 26) ----------------------------------------------------------------------

def test_art26_the_clock_may_stop_at_the_instant_of_acceptance_and_resume_at_once():
    deadline = Deadline(accepted_at=ACCEPTED, period_days=30, pauses=(Pause(ACCEPTED, ACCEPTED),))
    assert deadline.paused_for(at(20)) == timedelta()
    assert thirty_days().pause(ACCEPTED).resume(ACCEPTED).due_at(at(20)) == thirty_days().due_at(at(20))


def test_art26_a_pause_may_start_the_instant_the_previous_one_ended():
    pauses = (Pause(at(5, 9), at(8, 9)), Pause(at(8, 9), at(9, 9)))
    assert Deadline(accepted_at=ACCEPTED, period_days=30, pauses=pauses).paused_for(at(20)) == timedelta(days=4)
    assert thirty_days().pause(at(5, 9)).resume(at(8, 9)).pause(at(8, 9)).is_paused


@pytest.mark.parametrize(("pauses", "message"), [
    ((Pause(at(1), at(3)),), "pause 0 starts before acceptance or the previous pause ended"),
    ((Pause(at(5), at(8)), Pause(at(7), at(9))), "pause 1 starts before acceptance or the previous pause ended"),
    ((Pause(at(5)), Pause(at(7), at(9))), "pause 0 is open but is not the last one"),
    ((Pause(at(5), at(6)), Pause(at(7)), Pause(at(8), at(9))), "pause 1 is open but is not the last one"),
    ((Pause(at(5), at(8)), Pause(at(9), at(8, 12))), "pause 1 resumes before it starts"),
])
def test_stored_pauses_out_of_order_are_refused_saying_which(pauses, message):
    with pytest.raises(InvalidPause) as refused:
        Deadline(accepted_at=ACCEPTED, period_days=30, pauses=pauses)
    assert str(refused.value) == message


def test_each_refused_pause_or_resume_says_why():
    with pytest.raises(InvalidPause) as twice:
        thirty_days().pause(at(5)).pause(at(6))
    with pytest.raises(InvalidPause) as ended:
        thirty_days().pause(at(2, month=4))  # the period ended at 2026-04-02 00:00
    with pytest.raises(InvalidPause) as unpaused:
        thirty_days().resume(at(5))
    assert (str(twice.value), str(ended.value), str(unpaused.value)) == (
        "already paused", "the period has already ended", "not paused")


def test_art26_a_pause_just_before_the_end_is_taken():
    last_moment = thirty_days().due_at(ACCEPTED) - timedelta(microseconds=1)
    assert thirty_days().pause(last_moment).is_paused
    assert not is_overdue(thirty_days().pause(last_moment), at(10, month=6))


# -- extensions (2016 Art 27 and the packs' limits) ------------------------------------------------

def test_the_limit_is_read_from_the_decisions_extension_rule():
    assert ExtensionLimit.from_rule({"max_extensions": 1, "max_days": 30}) == ExtensionLimit(max_extensions=1, max_days=30)
    assert ExtensionLimit.from_rule({"max_extensions": 2, "max_days": None}) == ExtensionLimit(max_extensions=2, max_days=None)
    assert ExtensionLimit.from_rule({}) == ExtensionLimit(max_extensions=None, max_days=None)
    assert ExtensionLimit.from_rule(["spc-2025"]) is None


def test_spc2025_the_one_extension_read_from_the_rule_is_the_only_one():
    spc_2025 = ExtensionLimit.from_rule({"max_extensions": 1, "max_days": 30})
    once = grant_extension(thirty_days(), everyone(5), PARTIES, spc_2025, now=at(20))
    with pytest.raises(ExtensionRefused) as refused:
        grant_extension(once, everyone(5), PARTIES, spc_2025, now=at(21))
    assert refused.value.reason is RefusalReason.TOO_MANY_EXTENSIONS


def test_art27_an_extension_of_one_day_is_granted():
    spc_2016 = ExtensionLimit.from_rule({"max_extensions": None, "max_days": None})
    extended = grant_extension(thirty_days(), everyone(1), PARTIES, spc_2016, now=at(20))
    assert extended.extension_days == (1,)
    assert extended.due_at(at(20)) == at(3, month=4)  # Thursday 2 April's end


def refusal(deadline, request, parties, rule, now) -> tuple:
    limit = ExtensionLimit.from_rule(rule)
    with pytest.raises(ExtensionRefused) as refused:
        grant_extension(deadline, request, parties, limit, now)
    exc = refused.value
    assert str(exc) == exc.detail  # the text logged is the text answered
    return exc.reason, exc.detail, exc.party_ids


UNLIMITED = {"max_extensions": None, "max_days": None}


@pytest.mark.parametrize(("request_", "parties", "rule", "now", "expected"), [
    (everyone(5), PARTIES, None, at(20),
     (RefusalReason.UNKNOWN_POLICY_PACK, "the routing decision named no extension rule for this case's policy pack", ())),
    (everyone(0), PARTIES, UNLIMITED, at(20), (RefusalReason.NOT_POSITIVE, "an extension is at least one day", ())),
    (everyone(31), PARTIES, {"max_extensions": 1, "max_days": 30}, at(20),
     (RefusalReason.TOO_LONG, "an extension may be at most 30 days", ())),
    (ExtensionRequest(5, frozenset({*PARTIES, "Y8", "X9"})), PARTIES, UNLIMITED, at(20),
     (RefusalReason.CONSENT_FROM_NON_PARTY, "consent recorded for someone who is not a party", ("X9", "Y8"))),
    (ExtensionRequest(5, frozenset({"R1"})), PARTIES, UNLIMITED, at(20),
     (RefusalReason.MISSING_CONSENT, "every party must consent to an extension (2016 Art 27)", ("A1", "T1"))),
    (ExtensionRequest(5, frozenset()), (), UNLIMITED, at(20),
     (RefusalReason.MISSING_CONSENT, "every party must consent to an extension (2016 Art 27)", ())),
    (everyone(5), PARTIES, {"max_extensions": 0, "max_days": None}, at(20),
     (RefusalReason.TOO_MANY_EXTENSIONS, "at most 0 extension(s) under this policy pack", ())),
    (everyone(5), PARTIES, UNLIMITED, at(2, month=4),
     (RefusalReason.PERIOD_ENDED, "the mediation period has already ended", ())),
])
def test_each_refused_extension_says_why_and_names_the_parties_concerned(request_, parties, rule, now, expected):
    assert refusal(thirty_days(), request_, parties, rule, now) == expected


def test_spc2025_the_second_extension_is_refused_citing_the_packs_limit():
    spc_2025 = {"max_extensions": 1, "max_days": 30}
    once = thirty_days(extension_days=(5,))
    assert refusal(once, everyone(5), PARTIES, spc_2025, at(20)) == (
        RefusalReason.TOO_MANY_EXTENSIONS, "at most 1 extension(s) under this policy pack", ())

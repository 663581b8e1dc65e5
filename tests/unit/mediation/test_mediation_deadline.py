"""The statutory period: 2021 Art 24 (from acceptance), Art 26 (appraisal pauses), 2016 Art 27
(extension by every party's consent) and the policy packs' limits."""

from datetime import datetime, timedelta

import pytest

from services.mediation.domain.calendar import SHANGHAI
from services.mediation.domain.deadline import (
    Deadline,
    ExtensionLimit,
    ExtensionRefused,
    ExtensionRequest,
    InvalidPause,
    Pause,
    RefusalReason,
    grant_extension,
    is_overdue,
)


def at(day: int, hour: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=SHANGHAI)


ACCEPTED = at(2, 10)  # Monday 2026-03-02, 10:00
PARTIES = ("A1", "R1", "T1")
# The packs' limits as routing's decision carries them (case.routed `extension_rule`).
SPC_2016 = ExtensionLimit.from_rule({"max_extensions": None, "max_days": None})
SPC_2025 = ExtensionLimit.from_rule({"max_extensions": 1, "max_days": 30})


def thirty_days() -> Deadline:
    return Deadline(accepted_at=ACCEPTED, period_days=30)


def test_art24_period_runs_in_calendar_days_from_acceptance():
    # the day of acceptance is not counted: 30 days end with 2026-04-01
    assert thirty_days().due_at(ACCEPTED) == datetime(2026, 4, 2, tzinfo=SHANGHAI)


@pytest.mark.parametrize(("days", "due"), [(15, at(18)), (7, at(10))])
def test_art24_fifteen_and_seven_day_periods(days, due):
    assert Deadline(accepted_at=ACCEPTED, period_days=days).due_at(ACCEPTED) == due


def test_art24_acceptance_late_in_the_utc_day_counts_on_the_shanghai_date():
    # 2026-03-01 16:30 UTC is 2026-03-02 00:30 in Shanghai: the period counts from 03-02
    accepted_at = datetime.fromisoformat("2026-03-01T16:30:00+00:00")
    assert Deadline(accepted_at=accepted_at, period_days=30).due_at(accepted_at) == datetime(
        2026, 4, 2, tzinfo=SHANGHAI
    )


def test_art26_a_pause_of_ten_days_moves_a_thirty_day_deadline_by_ten_days():
    # nine days of pause: the period's last day becomes Friday 2026-04-10, a working day
    paused = thirty_days().pause(at(5, 9)).resume(at(14, 9))
    later = at(20)
    assert paused.due_at(later) - thirty_days().due_at(later) == timedelta(days=9)
    assert paused.due_at(later) == datetime(2026, 4, 11, tzinfo=SHANGHAI)


def test_art26_then_art85_a_pause_ending_the_period_on_a_saturday_runs_it_to_monday():
    # ten days of pause: the last day would be Saturday 2026-04-11, a rest day; 民事诉讼法 Art 85
    # ends the period with the next working day, Monday 2026-04-13
    paused = thirty_days().pause(at(5, 9)).resume(at(15, 9))
    assert paused.due_at(at(20)) == datetime(2026, 4, 14, tzinfo=SHANGHAI)


def test_art26_an_open_pause_keeps_moving_the_deadline_and_is_never_overdue():
    paused = thirty_days().pause(at(5, 9))
    long_after = datetime(2026, 6, 1, tzinfo=SHANGHAI)
    assert paused.is_paused
    assert not is_overdue(paused, long_after)
    assert paused.due_at(long_after) > long_after


def test_art26_several_pauses_add_up():
    deadline = thirty_days().pause(at(3)).resume(at(5)).pause(at(10)).resume(at(13, 12))
    assert deadline.paused_for(at(20)) == timedelta(days=5, hours=12)


def test_pause_twice_or_resume_unpaused_is_refused():
    with pytest.raises(InvalidPause):
        thirty_days().resume(at(5))
    with pytest.raises(InvalidPause):
        thirty_days().pause(at(5)).pause(at(6))


def test_art26_a_period_that_already_ended_cannot_be_paused():
    with pytest.raises(InvalidPause):
        thirty_days().pause(datetime(2026, 4, 2, tzinfo=SHANGHAI))


def test_pauses_must_follow_acceptance_and_each_other():
    with pytest.raises(InvalidPause):
        Deadline(accepted_at=ACCEPTED, period_days=30, pauses=(Pause(at(1), at(3)),))
    with pytest.raises(InvalidPause):
        Deadline(accepted_at=ACCEPTED, period_days=30, pauses=(Pause(at(5), at(8)), Pause(at(7), at(9))))
    with pytest.raises(InvalidPause):
        Deadline(accepted_at=ACCEPTED, period_days=30, pauses=(Pause(at(5)), Pause(at(7), at(9))))
    with pytest.raises(InvalidPause):
        thirty_days().pause(at(9)).resume(at(8))


def test_is_overdue_from_the_deadline_instant_on():
    due = thirty_days().due_at(ACCEPTED)
    assert not is_overdue(thirty_days(), due - timedelta(seconds=1))
    assert is_overdue(thirty_days(), due)


def test_art27_extension_with_every_partys_consent_moves_the_deadline():
    request = ExtensionRequest(days=9, consenting_party_ids=frozenset(PARTIES))
    extended = grant_extension(thirty_days(), request, PARTIES, SPC_2016, now=at(20))
    assert extended.due_at(at(20)) == datetime(2026, 4, 11, tzinfo=SHANGHAI)  # Friday 10 April's end


def test_art27_and_art85_an_extension_ending_on_a_sunday_runs_to_monday():
    request = ExtensionRequest(days=11, consenting_party_ids=frozenset(PARTIES))
    extended = grant_extension(thirty_days(), request, PARTIES, SPC_2025, now=at(20))
    assert extended.due_at(at(20)) == datetime(2026, 4, 14, tzinfo=SHANGHAI)  # Sunday 12 April -> Monday 13th


def test_art27_extension_without_one_partys_consent_is_refused():
    request = ExtensionRequest(days=10, consenting_party_ids=frozenset({"A1", "R1"}))
    with pytest.raises(ExtensionRefused) as refused:
        grant_extension(thirty_days(), request, PARTIES, SPC_2016, now=at(20))
    assert refused.value.reason is RefusalReason.MISSING_CONSENT
    assert refused.value.party_ids == ("T1",)


def test_art27_consent_from_someone_not_a_party_is_refused():
    request = ExtensionRequest(days=10, consenting_party_ids=frozenset({*PARTIES, "X9"}))
    with pytest.raises(ExtensionRefused) as refused:
        grant_extension(thirty_days(), request, PARTIES, SPC_2016, now=at(20))
    assert refused.value.reason is RefusalReason.CONSENT_FROM_NON_PARTY
    assert refused.value.party_ids == ("X9",)


def test_spc2016_allows_repeated_long_extensions():
    request = ExtensionRequest(days=60, consenting_party_ids=frozenset(PARTIES))
    once = grant_extension(thirty_days(), request, PARTIES, SPC_2016, now=at(20))
    twice = grant_extension(once, request, PARTIES, SPC_2016, now=at(25))
    assert twice.extension_days == (60, 60)
    assert twice.due_at(at(25)) - thirty_days().due_at(at(25)) == timedelta(days=120)


def test_spc2025_one_extension_of_thirty_days_is_allowed():
    request = ExtensionRequest(days=30, consenting_party_ids=frozenset(PARTIES))
    extended = grant_extension(thirty_days(), request, PARTIES, SPC_2025, now=at(20))
    assert extended.extension_days == (30,)


def test_spc2025_second_extension_is_refused():
    request = ExtensionRequest(days=5, consenting_party_ids=frozenset(PARTIES))
    once = grant_extension(thirty_days(), request, PARTIES, SPC_2025, now=at(20))
    with pytest.raises(ExtensionRefused) as refused:
        grant_extension(once, request, PARTIES, SPC_2025, now=at(21))
    assert refused.value.reason is RefusalReason.TOO_MANY_EXTENSIONS


def test_spc2025_extension_over_thirty_days_is_refused():
    request = ExtensionRequest(days=31, consenting_party_ids=frozenset(PARTIES))
    with pytest.raises(ExtensionRefused) as refused:
        grant_extension(thirty_days(), request, PARTIES, SPC_2025, now=at(20))
    assert refused.value.reason is RefusalReason.TOO_LONG


def test_art25_extension_after_the_period_ended_is_refused():
    request = ExtensionRequest(days=10, consenting_party_ids=frozenset(PARTIES))
    with pytest.raises(ExtensionRefused) as refused:
        grant_extension(thirty_days(), request, PARTIES, SPC_2016, now=at(2, month=4))
    assert refused.value.reason is RefusalReason.PERIOD_ENDED


@pytest.mark.parametrize("days", [0, -3])
def test_extension_must_be_positive(days):
    request = ExtensionRequest(days=days, consenting_party_ids=frozenset(PARTIES))
    with pytest.raises(ExtensionRefused) as refused:
        grant_extension(thirty_days(), request, PARTIES, SPC_2016, now=at(20))
    assert refused.value.reason is RefusalReason.NOT_POSITIVE


def test_a_decision_without_an_extension_rule_grants_none():
    request = ExtensionRequest(days=5, consenting_party_ids=frozenset(PARTIES))
    assert ExtensionLimit.from_rule(None) is None
    with pytest.raises(ExtensionRefused) as refused:
        grant_extension(thirty_days(), request, PARTIES, None, now=at(20))
    assert refused.value.reason is RefusalReason.UNKNOWN_POLICY_PACK


def test_spc2016_art27_the_limit_is_the_one_the_decision_carried_not_a_copy_keyed_by_pack_name():
    # A pack routing changed (say, at most 10 days) binds at once, whatever its name.
    stricter = ExtensionLimit.from_rule({"max_extensions": None, "max_days": 10})
    request = ExtensionRequest(days=11, consenting_party_ids=frozenset(PARTIES))
    with pytest.raises(ExtensionRefused) as refused:
        grant_extension(thirty_days(), request, PARTIES, stricter, now=at(20))
    assert refused.value.reason is RefusalReason.TOO_LONG


def test_naive_acceptance_is_refused():
    with pytest.raises(ValueError):
        Deadline(accepted_at=datetime(2026, 3, 2), period_days=30)

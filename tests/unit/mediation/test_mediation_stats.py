"""Acceptance 4: GET /v1/stats figures against a hand-computed fixture of 54 cases.

Window [2026-03-01, 2026-04-01) Shanghai, now = 2026-04-10 00:00 (day 40). Day d is 2026-03-01 + d.
Every case: received day r 09:00, routed r 10:00, accepted r+1 09:00, outcome at 09:00.

Block A, 20 cases, P01 / neighbour / delegation / 370202, r = 0..19:
  r 0-9 settled at r+10; r 10-14 failed at r+5; r 15-16 withdrawn at r+4;
  r 17 open, deadline day 48; r 18 open, deadline day 35 (overdue); r 19 open, paused (no deadline).
Block B, 15 cases, P12 / commercial_contract / entrustment / 370203, r = 0..14:
  r 0-5 settled at r+20; r 6-8 expired at r+16; r 9-11 settled on day 35 (after the window);
  r 12-14 open, deadline day 38 (overdue).
Block C, 10 cases, P35 / private_lending / delegation / 370211, r = -10..-1 (February):
  r -10..-6 settled on day 2; r -5..-3 failed on day 3; r -2, -1 open, deadline day 50.
Block D, 5 cases, P12 / family / invitation / 370202, r = 25..29: routed, offer not yet answered.
Block E, 2 cases, no partner / family / invitation / 370202, received day 30, not routed.
Block F, 2 cases, no partner / other / delegation / 370285, received exactly at the window's end.
"""

from datetime import datetime, timedelta

import pytest

from services.mediation.domain.calendar import SHANGHAI
from services.mediation.domain.stats import CaseRecord, GroupBy, StatsRow, Window, compute_stats

BASE = datetime(2026, 3, 1, tzinfo=SHANGHAI)
WINDOW = Window(start=BASE, end=datetime(2026, 4, 1, tzinfo=SHANGHAI))
NOW = datetime(2026, 4, 10, tzinfo=SHANGHAI)


def day(d: float, hour: int = 0) -> datetime:
    return BASE + timedelta(days=d, hours=hour)


def case(block: str, r: int, partner, category, mode, district, *, routed=True, accepted=True,
         outcome=None, outcome_day=None, deadline_day=None, received_day=None) -> CaseRecord:
    received = r if received_day is None else received_day
    return CaseRecord(
        case_id=f"{block}{r}",
        received_at=day(received, 9),
        routed_at=day(received, 10) if routed else None,
        accepted_at=day(received + 1, 9) if accepted else None,
        outcome=outcome,
        outcome_at=day(outcome_day, 9) if outcome is not None else None,
        deadline=day(deadline_day) if deadline_day is not None else None,
        partner_id=partner,
        category=category,
        mode=mode,
        district=district,
    )


def block_a(r: int) -> CaseRecord:
    if r <= 9:
        kw = {"outcome": "settled", "outcome_day": r + 10}
    elif r <= 14:
        kw = {"outcome": "failed", "outcome_day": r + 5}
    elif r <= 16:
        kw = {"outcome": "withdrawn", "outcome_day": r + 4}
    else:
        kw = {"deadline_day": {17: 48, 18: 35, 19: None}[r]}
    return case("A", r, "P01", "neighbour", "delegation", "370202", **kw)


def block_b(r: int) -> CaseRecord:
    if r <= 5:
        kw = {"outcome": "settled", "outcome_day": r + 20}
    elif r <= 8:
        kw = {"outcome": "expired", "outcome_day": r + 16}
    elif r <= 11:
        kw = {"outcome": "settled", "outcome_day": 35}
    else:
        kw = {"deadline_day": 38}
    return case("B", r, "P12", "commercial_contract", "entrustment", "370203", **kw)


def block_c(r: int) -> CaseRecord:
    if r <= -6:
        kw = {"outcome": "settled", "outcome_day": 2}
    elif r <= -3:
        kw = {"outcome": "failed", "outcome_day": 3}
    else:
        kw = {"deadline_day": 50}
    return case("C", r, "P35", "private_lending", "delegation", "370211", **kw)


def fixture() -> list[CaseRecord]:
    return [
        *(block_a(r) for r in range(20)),
        *(block_b(r) for r in range(15)),
        *(block_c(r) for r in range(-10, 0)),
        *(case("D", r, "P12", "family", "invitation", "370202", accepted=False) for r in range(25, 30)),
        *(
            case("E", i, None, "family", "invitation", "370202", routed=False, accepted=False, received_day=30)
            for i in range(2)
        ),
        *(
            CaseRecord(case_id=f"F{i}", received_at=WINDOW.end, category="other", mode="delegation",
                       district="370285")
            for i in range(2)
        ),
    ]


def row(key, received, routed, accepted, settled, failed, withdrawn, expired, rate, median, open_, overdue):
    return StatsRow(key, received, routed, accepted, settled, failed, withdrawn, expired, rate, median, open_, overdue)


# Hand-computed (see the module docstring). Days to outcome, from receipt:
#   A: settled 10 (x10), failed 5 (x5), withdrawn 4 (x2)   -> 17 values, 9th is 10
#   B: settled 20 (x6), expired 16 (x3)                    ->  9 values, 5th is 20
#   C: settled 12, 11, 10, 9, 8; failed 8, 7, 6             ->  8 values, (8 + 9) / 2 = 8.5
A = (20, 20, 20, 10, 5, 2, 0, 10 / 17, 10, 3, 1)
B = (15, 15, 15, 6, 0, 0, 3, 6 / 9, 20, 3, 3)
C = (0, 0, 1, 5, 3, 0, 0, 5 / 8, 8.5, 2, 0)
D = (5, 5, 0, 0, 0, 0, 0, None, None, 0, 0)
E = (2, 0, 0, 0, 0, 0, 0, None, None, 0, 0)

EXPECTED = {
    GroupBy.PARTNER: [
        row("P01", *A),
        row("P12", 20, 20, 15, 6, 0, 0, 3, 6 / 9, 20, 3, 3),  # B + D
        row("P35", *C),
        row(None, *E),  # F is outside the window and not open, so it forms no group
    ],
    GroupBy.MODE: [
        # A + C: 25 values: 4,4, 5 x5, 6, 7, 8,8, 9, 10 x11, 11, 12 -> 13th is 10
        row("delegation", 20, 20, 21, 15, 8, 2, 0, 15 / 25, 10, 5, 1),
        row("entrustment", *B),
        row("invitation", 7, 5, 0, 0, 0, 0, 0, None, None, 0, 0),  # D + E
    ],
    GroupBy.DISTRICT: [
        row("370202", 27, 25, 20, 10, 5, 2, 0, 10 / 17, 10, 3, 1),  # A + D + E
        row("370203", *B),
        row("370211", *C),
    ],
    GroupBy.CATEGORY: [
        row("commercial_contract", *B),
        row("family", 7, 5, 0, 0, 0, 0, 0, None, None, 0, 0),
        row("neighbour", *A),
        row("private_lending", *C),
    ],
}

# all 34 outcomes: 4,4, 5 x5, 6, 7, 8,8, 9, 10 x11, 11, 12, 16 x3, 20 x6 -> 17th and 18th are 10
TOTAL = row(None, 42, 40, 36, 21, 8, 2, 3, 21 / 34, 10, 8, 4)
# every stamp in the window is in March 2026 (Beijing); a month has no snapshot figures
EXPECTED[GroupBy.MONTH] = [row("2026-03", 42, 40, 36, 21, 8, 2, 3, 21 / 34, 10, None, None)]


def test_fixture_has_at_least_fifty_cases():
    assert len(fixture()) == 54


@pytest.mark.parametrize("group_by", list(GroupBy))
def test_stats_by_group_match_the_hand_computed_figures(group_by):
    report = compute_stats(fixture(), WINDOW, group_by, NOW)
    assert report.groups == tuple(EXPECTED[group_by])


@pytest.mark.parametrize("group_by", list(GroupBy))
def test_stats_total_matches_the_hand_computed_figures(group_by):
    assert compute_stats(fixture(), WINDOW, group_by, NOW).total == TOTAL


def test_settlement_rate_counts_every_ending_in_the_denominator():
    total = compute_stats(fixture(), WINDOW, GroupBy.MODE, NOW).total
    assert total.settlement_rate == total.settled / (total.settled + total.failed + total.withdrawn + total.expired)


def test_open_and_overdue_are_a_snapshot_at_now():
    # at day 36 block B's day-35 settlements are done, its open cases not yet overdue (deadline 38),
    # and A's r 18 (deadline 35) is overdue
    total = compute_stats(fixture(), WINDOW, GroupBy.PARTNER, day(36)).total
    assert (total.open_now, total.overdue_now) == (8, 1)
    # at day 30 block B's r 9-11 are still open (their outcome comes on day 35)
    earlier = compute_stats(fixture(), WINDOW, GroupBy.PARTNER, day(30)).total
    assert earlier.open_now == 11


def test_a_case_is_overdue_from_the_deadline_instant_on():
    # A r 18's deadline is day 35 00:00; B r 9-11 end later that day, at 09:00
    total = compute_stats(fixture(), WINDOW, GroupBy.PARTNER, day(35)).total
    assert (total.open_now, total.overdue_now) == (11, 1)
    just_before = compute_stats(fixture(), WINDOW, GroupBy.PARTNER, day(35) - timedelta(seconds=1)).total
    assert just_before.overdue_now == 0


def test_empty_window_gives_no_rates():
    quiet = Window(start=datetime(2025, 1, 1, tzinfo=SHANGHAI), end=datetime(2025, 2, 1, tzinfo=SHANGHAI))
    report = compute_stats(fixture(), quiet, GroupBy.PARTNER, datetime(2025, 2, 1, tzinfo=SHANGHAI))
    assert report.groups == ()
    assert report.total == row(None, 0, 0, 0, 0, 0, 0, 0, None, None, 0, 0)


def test_window_must_be_ordered_and_aware():
    with pytest.raises(ValueError):
        Window(start=WINDOW.end, end=WINDOW.start)
    with pytest.raises(ValueError):
        Window(start=datetime(2026, 3, 1), end=datetime(2026, 4, 1))


def test_record_outcome_and_time_go_together():
    with pytest.raises(ValueError):
        CaseRecord(case_id="x", received_at=BASE, category="other", mode="self", district="370202", outcome="settled")
    with pytest.raises(ValueError):
        CaseRecord(case_id="x", received_at=BASE, category="other", mode="self", district="370202",
                   outcome="closed", outcome_at=BASE)

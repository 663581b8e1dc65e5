"""2021 Art 29 accounting in the statistics, without a database: declines and lapses are the
partner's who gave them, a withdrawal before acceptance does not count against a partner's
settlement rate, a case withdrawn while declined still counts, and months are Beijing months."""

from datetime import datetime, timedelta, timezone

from services.mediation.domain.stats import CaseRecord, GroupBy, OfferAnswer, Window, compute_stats

BJ = timezone(timedelta(hours=8))
WINDOW = Window(datetime(2026, 3, 1, tzinfo=BJ), datetime(2026, 5, 1, tzinfo=BJ))
NOW = datetime(2026, 5, 10, tzinfo=BJ)


def at(month: int, day: int, hour: int = 10) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=BJ)


def record(case_id: str, partner: str | None, **fields) -> CaseRecord:
    return CaseRecord(case_id=case_id, received_at=fields.pop("received_at", at(3, 2)), category="consumer",
                      mode="delegation", district="370202", partner_id=partner, routed_at=at(3, 2, 11), **fields)


SETTLED = [record(f"s{i}", "P12", accepted_at=at(3, 3), outcome="settled", outcome_at=at(3, 12)) for i in range(3)]
FAILED = record("f", "P12", accepted_at=at(3, 3), outcome="failed", outcome_at=at(3, 20))
WITHDRAWN_WHILE_OFFERED = record("w", "P12", outcome="withdrawn", outcome_at=at(3, 4))
# declined by P12, then withdrawn while routing had it again: nobody holds it
WITHDRAWN_WHILE_DECLINED = record("d", None, outcome="withdrawn", outcome_at=at(3, 6),
                                  answers=(OfferAnswer("P12", "declined", at(3, 5)),))
LAPSED_THEN_UNROUTABLE = record("u", None, unroutable_at=at(3, 27), returned_to_court_at=at(3, 27),
                                answers=(OfferAnswer("P24", "lapsed", at(3, 25)), OfferAnswer("P35", "declined", at(3, 26))))
ALL = [*SETTLED, FAILED, WITHDRAWN_WHILE_OFFERED, WITHDRAWN_WHILE_DECLINED, LAPSED_THEN_UNROUTABLE]


def by_key(group_by: GroupBy, **kwargs):
    return {g.key: g for g in compute_stats(ALL, WINDOW, group_by, NOW, **kwargs).groups}


def test_art29_2021_a_withdrawal_before_acceptance_does_not_lower_the_partners_settlement_rate():
    p12 = by_key(GroupBy.PARTNER)["P12"]
    assert (p12.settled, p12.failed, p12.withdrawn, p12.withdrawn_before_acceptance) == (3, 1, 1, 1)
    assert p12.settlement_rate == 3 / 4  # not 3 / 5


def test_art29_2021_declines_and_lapses_count_for_the_partner_that_gave_them():
    groups = by_key(GroupBy.PARTNER)
    assert (groups["P12"].declined, groups["P24"].lapsed, groups["P35"].declined) == (1, 1, 1)
    assert groups["P24"].received == 0  # the case itself is not P24's
    own = compute_stats(ALL, WINDOW, GroupBy.PARTNER, NOW, partner_id="P24").total
    assert (own.lapsed, own.declined, own.received, own.unroutable) == (1, 0, 0, 0)


def test_art29_2021_a_case_withdrawn_while_declined_and_an_unroutable_one_do_not_vanish():
    nobody = by_key(GroupBy.PARTNER)[None]
    assert (nobody.withdrawn, nobody.withdrawn_before_acceptance, nobody.unroutable, nobody.returned_to_court) == (
        1, 1, 1, 1)
    total = compute_stats(ALL, WINDOW, GroupBy.CATEGORY, NOW).total
    assert (total.withdrawn, total.unroutable, total.declined, total.lapsed) == (2, 1, 2, 1)


def test_months_are_beijing_months():
    # 2026-03-31 16:30 UTC is 1 April 00:30 in Beijing
    late = CaseRecord(case_id="m", received_at=datetime(2026, 3, 31, 16, 30, tzinfo=timezone.utc),
                      category="consumer", mode="delegation", district="370202")
    groups = {g.key: g for g in compute_stats([late], WINDOW, GroupBy.MONTH, NOW).groups}
    assert list(groups) == ["2026-04"] and groups["2026-04"].received == 1
    assert groups["2026-04"].open_now is None  # a snapshot has no month

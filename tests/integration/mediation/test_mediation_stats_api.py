"""Acceptance 4: GET /v1/stats against a fixture of 58 cases whose figures were computed by hand.

Window [2026-03-01, 2026-04-01), now 2026-04-10.
  A  P12 commercial_contract delegation 370202: 20 received 03-02, routed +1h, accepted +1d;
     8 settled at +10d, 4 failed at +12d, 2 withdrawn at +14d, 2 expired at +16d; 4 open, of which
     2 due 04-05 (overdue now) and 2 due 04-20.
  B  P24 property_service entrustment 370203: 15 received 03-10, routed +2h; 10 accepted +1d,
     5 settled at +4d, 5 failed at +6d; 5 still offered.
  C  P01 family self 370202: 10 received 02-20, routed and accepted in February; 6 settled and
     4 withdrawn at +13d (03-05, inside the window).
  D  5 unroutable: received 03-15 only (other, delegation, 370211), no partner.
  E  5 P12 cases all in January: nothing in the window, not open.
  F  3 P12 commercial_contract delegation cases accepted 02-02, still open, due 03-03: open and overdue.
By hand:
  P12: received 20, routed 20, accepted 20, settled 8, failed 4, withdrawn 2, expired 2, rate 8/16,
       median of {10 x8, 12 x4, 14 x2, 16 x2} = (10 + 12) / 2 = 11, open 4 + 3 = 7, overdue 2 + 3 = 5.
  P24: 15, 15, 10, settled 5, failed 5, rate 0.5, median (4 + 6) / 2 = 5, open 0.
  P01: 0, 0, 0, settled 6, withdrawn 4, rate 0.6, median 13.
  none: received 5.
  total: received 40, routed 35, accepted 30, settled 19, failed 9, withdrawn 6, expired 2,
         rate 19/36 = 0.5278, median of the 36 endings sorted (4 x5, 6 x5, 10 x8, 12 x4, 13 x10, ...):
         18th = 10, 19th = 12, so 11; open 7, overdue 5.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from services.mediation.store.models import Mediation, Receipt
from shared.clock import ManualClock
from tests.integration.mediation.conftest import QUIET, idle
from tests.integration.mediation.helpers import case_facts, new_id
from tests.support.platform import running

UTC = timezone.utc
D = timedelta(days=1)
NOW = datetime(2026, 4, 10, tzinfo=UTC)


def _case(partner, category, mode, district, received, *, routed=None, accepted=None, outcome=None,
          outcome_at=None, due=None):
    case_id = new_id()
    receipt = Receipt(case_id=case_id, received_at=received, court_code="370202", category=category,
                      district=district, mode=mode)
    if partner is None:
        return [receipt]
    status = "offered" if accepted is None else ("in_mediation" if outcome is None else outcome)
    mediation = Mediation(
        case_id=case_id, status=status, partner_id=partner, mode=mode, attempt=1, policy_pack="spc-2016",
        case_snapshot=case_facts(mode), mediators=[], category=category, district=district, court_code="370202",
        offered_at=routed, offer_closes_at=routed + 3 * D, routed_at=routed, updated_at=routed,
        accepted_at=accepted, period_days=30, pauses=[], extension_days=[], due_at=due,
        outcome=outcome, outcome_at=outcome_at, version=1)
    return [receipt, mediation]


def fixture_rows() -> list:
    rows = []
    a = datetime(2026, 3, 2, tzinfo=UTC)
    for outcome, count, days in (("settled", 8, 10), ("failed", 4, 12), ("withdrawn", 2, 14), ("expired", 2, 16)):
        for _ in range(count):
            rows += _case("P12", "commercial_contract", "delegation", "370202", a, routed=a + timedelta(hours=1),
                          accepted=a + D, outcome=outcome, outcome_at=a + days * D, due=a + 31 * D)
    for due in (datetime(2026, 4, 5, tzinfo=UTC),) * 2 + (datetime(2026, 4, 20, tzinfo=UTC),) * 2:
        rows += _case("P12", "commercial_contract", "delegation", "370202", a, routed=a + timedelta(hours=1),
                      accepted=a + D, due=due)
    b = datetime(2026, 3, 10, tzinfo=UTC)
    for outcome, count, days in (("settled", 5, 4), ("failed", 5, 6)):
        for _ in range(count):
            rows += _case("P24", "property_service", "entrustment", "370203", b, routed=b + timedelta(hours=2),
                          accepted=b + D, outcome=outcome, outcome_at=b + days * D, due=b + 16 * D)
    for _ in range(5):
        rows += _case("P24", "property_service", "entrustment", "370203", b, routed=b + timedelta(hours=2))
    c = datetime(2026, 2, 20, tzinfo=UTC)
    for outcome, count in (("settled", 6), ("withdrawn", 4)):
        for _ in range(count):
            rows += _case("P01", "family", "self", "370202", c, routed=c + timedelta(hours=1), accepted=c + D,
                          outcome=outcome, outcome_at=c + 13 * D, due=c + 31 * D)
    for _ in range(5):
        rows += _case(None, "other", "delegation", "370211", datetime(2026, 3, 15, tzinfo=UTC))
    e = datetime(2026, 1, 5, tzinfo=UTC)
    for _ in range(5):
        rows += _case("P12", "commercial_contract", "delegation", "370202", e, routed=e + timedelta(hours=1),
                      accepted=e + D, outcome="settled", outcome_at=e + 15 * D, due=e + 31 * D)
    f = datetime(2026, 2, 1, tzinfo=UTC)
    for _ in range(3):
        rows += _case("P12", "commercial_contract", "delegation", "370202", f, routed=f + timedelta(hours=1),
                      accepted=f + D, due=datetime(2026, 3, 3, tzinfo=UTC))
    return rows


def _figures(received, routed, accepted, settled, failed, withdrawn, expired, rate, median, open_, overdue):
    return {"received": received, "routed": routed, "accepted": accepted, "settled": settled, "failed": failed,
            "withdrawn": withdrawn, "expired": expired, "settlement_rate": rate, "median_days_to_outcome": median,
            "open_now": open_, "overdue_now": overdue,
            # none of these cases was found unroutable, declined, lapsed or withdrawn before acceptance
            "unroutable": 0, "returned_to_court": 0, "declined": 0, "lapsed": 0, "withdrawn_before_acceptance": 0}


BY_PARTNER = {
    "P01": _figures(0, 0, 0, 6, 0, 4, 0, 0.6, 13.0, 0, 0),
    "P12": _figures(20, 20, 20, 8, 4, 2, 2, 0.5, 11.0, 7, 5),
    "P24": _figures(15, 15, 10, 5, 5, 0, 0, 0.5, 5.0, 0, 0),
    None: _figures(5, 0, 0, 0, 0, 0, 0, None, None, 0, 0),
}
TOTAL = _figures(40, 35, 30, 19, 9, 6, 2, 0.5278, 11.0, 7, 5)


@pytest.fixture
async def stats_platform(mediation_pg):
    async with running(mediation_pg, clock=ManualClock(NOW), settings=QUIET, seed=False) as p:
        rows = fixture_rows()
        assert len({getattr(r, "case_id") for r in rows}) == 58
        async with p.runtimes["mediation"].db.unit_of_work() as session:
            session.add_all(rows)
        yield p
        await idle(p)


def _strip(row: dict) -> dict:
    return {k: v for k, v in row.items() if k != "key"}


async def test_stats_by_partner_match_the_hand_computed_figures(stats_platform):
    p = stats_platform
    answer = await p.client.get("/v1/stats", params={"from": "2026-03-01T00:00:00Z", "to": "2026-04-01T00:00:00Z",
                                                     "group_by": "partner"}, headers=p.auth("ops"))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert [g["key"] for g in body["groups"]] == ["P01", "P12", "P24", None]
    assert {g["key"]: _strip(g) for g in body["groups"]} == BY_PARTNER
    assert _strip(body["total"]) == TOTAL


async def test_stats_by_mode_and_category(stats_platform):
    p = stats_platform
    params = {"from": "2026-03-01T00:00:00+00:00", "to": "2026-04-01T00:00:00+00:00"}
    by_mode = (await p.client.get("/v1/stats", params={**params, "group_by": "mode"}, headers=p.auth("ops"))).json()
    groups = {g["key"]: _strip(g) for g in by_mode["groups"]}
    # delegation: A and F (P12) plus the five unroutable cases
    assert groups["delegation"] == _figures(25, 20, 20, 8, 4, 2, 2, 0.5, 11.0, 7, 5)
    assert groups["entrustment"] == BY_PARTNER["P24"]
    assert groups["self"] == BY_PARTNER["P01"]
    by_category = (await p.client.get("/v1/stats", params={**params, "group_by": "category"},
                                      headers=p.auth("ops"))).json()
    assert {g["key"] for g in by_category["groups"]} == {"commercial_contract", "family", "other",
                                                         "property_service"}
    assert _strip(by_category["total"]) == TOTAL


async def test_a_partner_sees_only_its_own_figures(stats_platform):
    p = stats_platform
    body = (await p.client.get("/v1/stats", params={"from": "2026-03-01T00:00:00Z", "to": "2026-04-01T00:00:00Z"},
                               headers=p.auth("partner", partner_id="P12"))).json()
    assert [g["key"] for g in body["groups"]] == ["P12"]
    assert _strip(body["total"]) == BY_PARTNER["P12"]
    assert (await p.client.get("/v1/stats", headers=p.auth("clerk", court_code="370202"))).status_code == 403
    bad = await p.client.get("/v1/stats", params={"from": "2026-04-01T00:00:00Z", "to": "2026-03-01T00:00:00Z"},
                             headers=p.auth("ops"))
    assert bad.status_code == 422

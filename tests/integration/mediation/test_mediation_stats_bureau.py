"""The statistics a justice bureau files (issue #10 item 6, acceptance 2), through the API: by month
in Asia/Shanghai, as JSON, CSV and .xlsx with Chinese headings, against a fixture computed by hand
that holds declines, lapses (2021 Art 12), unroutable cases, cases returned to the court and
withdrawals before and after acceptance (2021 Art 29 accounting).

Window [2026-03-01, 2026-05-01) Beijing; now 2026-05-10. Times are Beijing (+08:00).
  A  4 x P12 commercial_contract: received 03-02 10:00, routed 11:00, accepted 03-03, settled 03-12 10:00.
  B  2 x offered to P24 03-05 10:00, declined by P24 03-06, re-routed to P01, accepted 03-07,
       failed 04-10 10:00 (hand-off docket); received 03-05 09:00.
  C  1 x offered to P24 03-20 10:00, lapsed 03-26 00:00, offered to P35, declined 03-27, unroutable
       03-28 (docket); received 03-20 09:00.
  D  2 x consent refused: received 04-02 09:00, unroutable 04-02 09:01 (docket), no offer.
  E  1 x offered to P12 04-05 10:00, declined 04-06 10:00, withdrawn by the court 04-06 12:00 (while declined).
  F  1 x offered to P12 04-08 10:00, withdrawn by the court 04-09 10:00 (while offered).
  G  1 x P12: received 04-10 09:00, routed 10:00, accepted 04-11, withdrawn by the parties 04-20 10:00.
  H  1 x P24: received 2026-04-01 00:30 Beijing (03-31 16:30 UTC), routed 01:30, still offered.
  I  1 x P01: received 04-14 09:00, routed 10:00, accepted 04-15, due 04-30: open and overdue now.
  J  1 x withdrawn at the court 04-03 08:30 before any offer; received 04-03 08:00.
By hand, by month:
  2026-03: received 7 (A4 B2 C1), routed 7, unroutable 1 (C), returned 1 (C), declined 3 (B2, C at
           P35), lapsed 1 (C), accepted 6, settled 4; rate 4/4; median 10 days (A).
  2026-04: received 8 (D2 E F G H I J), routed 5, unroutable 2, returned 4 (B2 failed, D2), declined 1
           (E), accepted 2 (G, I), failed 2, withdrawn 4 (E F G J), of which 3 before acceptance;
           rate 0/3 (B2, G); median of {10d1h, 36d1h, 36d1h} = 36.0417.
  total:   received 15, routed 12, unroutable 3, returned 5, declined 4, lapsed 1, accepted 8,
           settled 4, failed 2, withdrawn 4 (3 before acceptance); rate 4/7 = 0.5714; median of
           {10 x4, 10.0417, 36.0417 x2} = 10; open 1, overdue 1 (I).
By partner: P12's declined E and the court's withdrawal of F before P12 accepted do not lower its
rate: 4 settled of 5 mediations (A4, G), 0.8, not 4/6 or 4/7.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta, timezone

import openpyxl
import pytest

from services.mediation.store.models import AuditEntry, Mediation, Receipt
from shared.clock import ManualClock
from shared.events import Envelope
from tests.integration.mediation.conftest import QUIET, idle
from tests.integration.mediation.helpers import case_facts, new_id
from tests.support.platform import running

BJ = timezone(timedelta(hours=8))
H = timedelta(hours=1)
NOW = datetime(2026, 5, 10, tzinfo=BJ)
WINDOW = {"from": "2026-03-01T00:00:00+08:00", "to": "2026-05-01T00:00:00+08:00"}


def t(month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=BJ)


def receipt(case_id: str, received: datetime, category: str = "commercial_contract", **extra) -> Receipt:
    return Receipt(case_id=case_id, received_at=received, court_code="370202", category=category,
                   district="370202", mode="delegation", **extra)


def mediation(case_id: str, partner: str, routed: datetime, *, status: str, attempt: int = 1,
              accepted: datetime | None = None, outcome: str | None = None, outcome_at: datetime | None = None,
              handoff: str | None = None, due: datetime | None = None) -> Mediation:
    return Mediation(
        case_id=case_id, status=status, partner_id=partner, mode="delegation", attempt=attempt,
        policy_pack="spc-2016", case_snapshot=case_facts("delegation"), mediators=[], category="commercial_contract",
        district="370202", court_code="370202", offered_at=routed, offer_closes_at=routed + 72 * H, routed_at=routed,
        updated_at=routed, accepted_at=accepted, period_days=30, pauses=[], extension_days=[], due_at=due,
        outcome=outcome, outcome_at=outcome_at, handoff_type=handoff, version=1)


def answer(case_id: str, partner: str, action: str, at: datetime, attempt: int) -> AuditEntry:
    return AuditEntry(case_id=case_id, at=at, role="partner" if action == "decline" else "system",
                      actor_id=partner, action=action, from_status="offered", to_status="declined",
                      reason=None, partner_id=partner, attempt=attempt)


def unroutable(case_id: str, at: datetime) -> Envelope:
    return Envelope.new("case.unroutable", case_id, "routing",
                        {"attempt": 1, "mode": "delegation", "partner_id": None, "reason": "no_eligible_partner",
                         "return_to_court": "docket", "case": {"category": "commercial_contract",
                                                              "district": "370202", "mode": "delegation"}},
                        occurred_at=at)


async def build(p, clock: ManualClock) -> None:
    rows: list = []
    for _ in range(4):
        case = new_id()
        rows += [receipt(case, t(3, 2, 10)),
                 mediation(case, "P12", t(3, 2, 11), status="settled", accepted=t(3, 3, 10), outcome="settled",
                           outcome_at=t(3, 12, 10))]
    for _ in range(2):
        case = new_id()
        rows += [receipt(case, t(3, 5, 9)), answer(case, "P24", "decline", t(3, 6, 10), 1),
                 mediation(case, "P01", t(3, 5, 10), status="failed", attempt=2, accepted=t(3, 7, 10),
                           outcome="failed", outcome_at=t(4, 10, 10), handoff="docket")]
    lapsed = new_id()
    rows += [receipt(lapsed, t(3, 20, 9)), answer(lapsed, "P24", "lapse_offer", t(3, 26), 1),
             answer(lapsed, "P35", "decline", t(3, 27, 10), 2),
             mediation(lapsed, "P35", t(3, 20, 10), status="declined", attempt=2)]
    refused = [new_id(), new_id()]
    rows += [receipt(case, t(4, 2, 9)) for case in refused]
    declined_then_withdrawn, offered_then_withdrawn = new_id(), new_id()
    rows += [receipt(declined_then_withdrawn, t(4, 5, 9)),
             answer(declined_then_withdrawn, "P12", "decline", t(4, 6, 10), 1),
             mediation(declined_then_withdrawn, "P12", t(4, 5, 10), status="declined"),
             receipt(offered_then_withdrawn, t(4, 8, 9)),
             mediation(offered_then_withdrawn, "P12", t(4, 8, 10), status="offered")]
    g, h, i = new_id(), new_id(), new_id()
    rows += [receipt(g, t(4, 10, 9)),
             mediation(g, "P12", t(4, 10, 10), status="withdrawn", accepted=t(4, 11, 10), outcome="withdrawn",
                       outcome_at=t(4, 20, 10), handoff="withdrawal"),
             receipt(h, datetime(2026, 3, 31, 16, 30, tzinfo=timezone.utc)),
             mediation(h, "P24", datetime(2026, 3, 31, 17, 30, tzinfo=timezone.utc), status="offered"),
             receipt(i, t(4, 14, 9)),
             mediation(i, "P01", t(4, 14, 10), status="in_mediation", accepted=t(4, 15, 9), due=t(4, 30))]
    before_any_offer = new_id()
    rows.append(receipt(before_any_offer, t(4, 3, 8)))
    async with p.runtimes["mediation"].db.unit_of_work() as session:
        session.add_all(rows)
    # what the consumer does with the events themselves: routing's unroutable cases, the court's withdrawals
    await p.bus.publish(unroutable(lapsed, t(3, 28, 10)))
    for case in refused:
        await p.bus.publish(unroutable(case, t(4, 2, 9, 1)))
    for case, at in ((before_any_offer, t(4, 3, 8, 30)), (declined_then_withdrawn, t(4, 6, 12)),
                     (offered_then_withdrawn, t(4, 9, 10))):
        clock.set(at)
        await p.bus.publish(Envelope.new("case.withdrawn", case, "intake", {"reason": "withdrawn"}, occurred_at=at))
        await p.settle()
    clock.set(NOW)
    await p.settle()


def figures(received=0, routed=0, unroutable=0, returned_to_court=0, declined=0, lapsed=0, accepted=0, settled=0,
            failed=0, withdrawn=0, withdrawn_before_acceptance=0, expired=0, settlement_rate=None,
            median_days_to_outcome=None, open_now=None, overdue_now=None) -> dict:
    return dict(received=received, routed=routed, unroutable=unroutable, returned_to_court=returned_to_court,
                declined=declined, lapsed=lapsed, accepted=accepted, settled=settled, failed=failed,
                withdrawn=withdrawn, withdrawn_before_acceptance=withdrawn_before_acceptance, expired=expired,
                settlement_rate=settlement_rate, median_days_to_outcome=median_days_to_outcome, open_now=open_now,
                overdue_now=overdue_now)


MARCH = figures(received=7, routed=7, unroutable=1, returned_to_court=1, declined=3, lapsed=1, accepted=6,
                settled=4, settlement_rate=1.0, median_days_to_outcome=10.0)
APRIL = figures(received=8, routed=5, unroutable=2, returned_to_court=4, declined=1, accepted=2, failed=2,
                withdrawn=4, withdrawn_before_acceptance=3, settlement_rate=0.0, median_days_to_outcome=36.0417)
TOTAL = figures(received=15, routed=12, unroutable=3, returned_to_court=5, declined=4, lapsed=1, accepted=8,
                settled=4, failed=2, withdrawn=4, withdrawn_before_acceptance=3, settlement_rate=0.5714,
                median_days_to_outcome=10.0, open_now=1, overdue_now=1)
BY_PARTNER = {
    "P01": figures(received=3, routed=3, accepted=3, failed=2, returned_to_court=2, settlement_rate=0.0,
                   median_days_to_outcome=36.0417, open_now=1, overdue_now=1),
    "P12": figures(received=6, routed=6, accepted=5, settled=4, withdrawn=2, withdrawn_before_acceptance=1,
                   declined=1, settlement_rate=0.8, median_days_to_outcome=10.0, open_now=0, overdue_now=0),
    "P24": figures(received=1, routed=1, declined=2, lapsed=1, open_now=0, overdue_now=0),
    "P35": figures(declined=1, open_now=0, overdue_now=0),
    None: figures(received=5, routed=2, unroutable=3, returned_to_court=3, withdrawn=2,
                  withdrawn_before_acceptance=2, open_now=0, overdue_now=0),
}
HEADINGS = ["月份", "收案数", "分派数", "无可分派单位数", "退回法院数", "拒绝受理数", "逾期未答复数", "受理数",
            "调解成功数", "调解不成数", "撤回数", "其中受理前撤回数", "期限届满数", "调解成功率",
            "结案用时中位数（天）", "在调数", "超期数"]


@pytest.fixture
async def bureau(mediation_pg):
    clock = ManualClock(NOW)
    async with running(mediation_pg, clock=clock, settings=QUIET, seed=False) as p:
        await build(p, clock)
        yield p
        await idle(p)


def _strip(row: dict) -> dict:
    return {k: v for k, v in row.items() if k != "key"}


async def test_art29_2021_by_month_in_beijing_time_matches_the_hand_computed_figures(bureau):
    p = bureau
    answer = await p.client.get("/v1/stats", params={**WINDOW, "group_by": "month"}, headers=p.auth("bureau"))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert [g["key"] for g in body["groups"]] == ["2026-03", "2026-04"]
    assert {g["key"]: _strip(g) for g in body["groups"]} == {"2026-03": MARCH, "2026-04": APRIL}
    assert _strip(body["total"]) == TOTAL


async def test_art29_2021_by_partner_declines_and_lapses_are_the_partners_and_early_withdrawals_spare_its_rate(bureau):
    p = bureau
    body = (await p.client.get("/v1/stats", params={**WINDOW, "group_by": "partner"}, headers=p.auth("ops"))).json()
    assert {g["key"]: _strip(g) for g in body["groups"]} == BY_PARTNER
    assert _strip(body["total"]) == TOTAL
    # a partner sees its own answers and cases only
    own = (await p.client.get("/v1/stats", params={**WINDOW, "group_by": "month"},
                              headers=p.auth("partner", partner_id="P24"))).json()
    assert _strip(own["total"]) == BY_PARTNER["P24"]


async def test_the_monthly_report_as_csv_and_xlsx_with_chinese_headings(bureau):
    p = bureau
    as_csv = await p.client.get("/v1/stats", params={**WINDOW, "group_by": "month"},
                                headers={**p.auth("bureau"), "Accept": "text/csv"})
    as_xlsx = await p.client.get("/v1/stats", params={**WINDOW, "group_by": "month", "format": "xlsx"},
                                 headers=p.auth("bureau"))
    assert as_csv.status_code == 200 and as_csv.headers["content-type"].startswith("text/csv")
    assert "attachment" in as_csv.headers["content-disposition"]
    lines = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    assert lines[0] == HEADINGS
    expected = [[key, *[("" if v is None else str(v)) for v in row.values()]]
                for key, row in (("2026-03", MARCH), ("2026-04", APRIL), ("合计", TOTAL))]
    assert lines[1:] == expected
    assert as_xlsx.status_code == 200
    assert as_xlsx.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = openpyxl.load_workbook(io.BytesIO(as_xlsx.content)).active
    cells = [[c.value for c in line] for line in sheet.iter_rows(min_row=2)]
    assert cells[0] == HEADINGS
    assert cells[1:] == [[key, *row.values()] for key, row in (("2026-03", MARCH), ("2026-04", APRIL),
                                                                ("合计", TOTAL))]
    assert sheet.cell(row=3, column=HEADINGS.index("调解成功率") + 1).number_format == "0.00%"


async def test_the_bureau_reads_statistics_and_nothing_else(bureau):
    p = bureau
    reader = p.auth("bureau")
    assert (await p.client.get("/v1/stats", headers=reader)).status_code == 200
    assert (await p.client.get("/v1/mediations", headers=reader)).status_code == 403
    assert (await p.client.get("/v1/stats", headers=p.auth("clerk", court_code="370202"))).status_code == 403
    text = (await p.client.get("/v1/stats", params={**WINDOW, "group_by": "partner"}, headers=reader)).text
    assert "370202198001011232" not in text and "张三" not in text

"""What the workbench shows of a mediation: Chinese words, personal data only to whom it is for,
and the cases ordered by urgency (overdue first)."""

from datetime import datetime, timedelta, timezone

from services.mediation.store.models import Mediation
from services.mediation.web.present import case_view, court_words, matches, money_words, parties_view, summary

BJ = timezone(timedelta(hours=8))
NOW = datetime(2026, 12, 2, 10, 0, tzinfo=BJ)  # a Wednesday
PARTIES = [
    {"party_id": "a1", "role": "applicant", "kind": "person", "name": "张三", "id_number": "370202198001011232",
     "phone": "13800000000"},
    {"party_id": "r1", "role": "respondent", "kind": "organization", "name": "青岛某物业服务有限公司",
     "id_number": "91370200MA3C00000K", "represented_by": {"name": "李四", "law_firm": "某律师事务所"}},
]


def _mediation(status="offered", **fields) -> Mediation:
    values = dict(case_id="c-1", status=status, partner_id="P24", partner_name="物业纠纷调解委员会", mode="delegation",
                  attempt=1, policy_pack="spc-2016", ruleset_version=3, mediators=[], mediator_id=None,
                  court_code="370202", category="property_service", district="370202",
                  case_number="(2026)鲁0202民诉前调7号", offered_at=NOW, offer_closes_at=datetime(2026, 12, 8, tzinfo=BJ),
                  accepted_at=None, period_days=30, pauses=[], extension_days=[], due_at=None, contact_due_at=None,
                  contacted_at=None, outcome=None, outcome_detail=None, handoff_type=None, routed_at=NOW,
                  updated_at=NOW, case_snapshot={"parties": PARTIES, "summary": "物业费纠纷", "claim_amount": "12500.00",
                                                 "stage": "pre_filing"})
    values.update(fields)
    return Mediation(**values)


def test_id_numbers_stay_masked_until_accepted_and_phones_go_to_the_assigned_mediator_only():
    offered = parties_view(_mediation(), "P24-M01")
    assert offered[0]["id_number"] == "370202********1232" and offered[0]["phone"] == "138****0000"
    accepted = _mediation("in_mediation", accepted_at=NOW, mediator_id="P24-M01")
    assert parties_view(accepted, "P24-M02")[0]["id_number"] == "370202198001011232"
    assert parties_view(accepted, "P24-M02")[0]["phone"] == "138****0000"
    assert parties_view(accepted, "P24-M01")[0]["phone"] == "13800000000"
    declined = _mediation("declined", accepted_at=None)
    assert parties_view(declined, "P24-M01")[0]["id_number"] == "370202********1232"
    assert parties_view(accepted, "P24-M01", in_list=True)[0]["name"] == "张*"


def test_the_words_a_mediator_reads():
    view = summary(_mediation(), NOW)
    assert (view["status_words"], view["mode"], view["category"]) == ("待答复", "立案前委派调解", "物业服务合同")
    assert view["due"]["words"] == "12月7日 周一 24:00前" and view["due"]["left"]["words"] == "剩3个工作日"
    assert court_words("370202") == "市南区人民法院" and court_words("370200") == "青岛市中级人民法院"
    assert money_words("12500.00") == "12,500.00元" and money_words(None) == "未填写"


def test_overdue_cases_sort_first_then_the_soonest():
    late = summary(_mediation("accepted", case_id="late", accepted_at=NOW - timedelta(days=5),
                              contact_due_at=NOW - timedelta(days=1)), NOW)
    soon = summary(_mediation(case_id="soon", offer_closes_at=datetime(2026, 12, 4, tzinfo=BJ)), NOW)
    later = summary(_mediation(case_id="later"), NOW)
    assert late["due"]["left"]["overdue"] and late["due"]["left"]["words"] == "已逾期1天"
    assert [r["case_id"] for r in sorted([later, soon, late], key=lambda r: r["urgency"])] == ["late", "soon", "later"]


def test_search_by_case_number_or_party_name():
    m = _mediation()
    assert matches(m, "民诉前调7号") and matches(m, "张三") and matches(m, "") and not matches(m, "王五")


def test_the_case_page_offers_only_what_the_state_allows_and_routes_in_words():
    view = case_view(_mediation(), "P24-M01", NOW, audit=[], sessions=[], extensions=[], consents=[], contacts=[])
    assert {"accept", "decline"} <= view["allowed"] and "record_settled" not in view["allowed"]
    assert "第3版" in view["routing"] and "物业服务合同" in view["routing"] and "spc" not in view["routing"]
    assert view["offer"]["left"]["words"] == "剩3个工作日"
    assert [g["words"] for g in view["grounds"]][0] == "无法联系当事人"

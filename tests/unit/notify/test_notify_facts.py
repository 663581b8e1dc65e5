"""What notify keeps of a case from events, and which notices an event calls for."""

from datetime import datetime, timedelta, timezone

from services.notify.domain.facts import contacts_from_received, facts_from_event
from services.notify.domain.notice_plan import (DEADLINE_EVENTS, deadline_notice_due, notice_context, parse_time,
                                                plan_notices)
from services.notify.domain.notices import CHINA_TIME, NoticeKind, Recipient

RECEIVED = {
    "case_number": "(2026)鲁0202民诉前调7号", "court_code": "370202", "stage": "pre_filing", "category": "tenancy",
    "parties": [{"party_id": "p1", "role": "applicant", "name": "张三", "phone": "13800000000", "email": None},
                {"party_id": "p2", "role": "respondent", "name": "李四", "phone": None, "email": " li@x.cn "}],
}


def test_received_facts_and_contacts():
    facts = facts_from_event("case.received", RECEIVED)
    assert facts["mode"] == "delegation" and facts["court_code"] == "370202" and facts["party_ids"] == ["p1", "p2"]
    assert contacts_from_received(RECEIVED)[1] == {"party_id": "p2", "role": "respondent", "name": "李四",
                                                   "email": "li@x.cn", "phone": None}


def test_routed_facts_never_blank_what_is_known():
    facts = facts_from_event("case.routed", {"partner_id": "P12", "partner_name": "律师调解中心", "period_days": 30,
                                             "mode": "delegation", "reason": None, "case": RECEIVED})
    assert facts["partner_id"] == "P12" and facts["case_number"] == RECEIVED["case_number"]
    assert "reason" not in facts


def test_routed_notice_goes_to_every_reachable_party_by_each_channel():
    context = notice_context(NoticeKind.CASE_ROUTED, {"case_number": "(2026)鲁0202民诉前调7号", "category": "tenancy",
                                                      "mode": "delegation"},
                             {"partner_name": "律师调解中心", "period_days": 30})
    planned = plan_notices(NoticeKind.CASE_ROUTED, context,
                           [Recipient("p1", "张三", None, "13800000000"), Recipient("p2", "李四", "li@x.cn", None)])
    assert [(n.party_id, n.channel) for n in planned] == [("p1", "sms"), ("p2", "email")]
    assert planned[1].body.startswith("李四，您好") and planned[1].error is None
    assert planned[0].sms_params["partner_name"] == "律师调解中心"


def test_a_notice_that_cannot_be_rendered_is_reported_not_raised():
    context = notice_context(NoticeKind.SESSION_SCHEDULED, {"case_number": "x"}, {})
    [planned] = plan_notices(NoticeKind.SESSION_SCHEDULED, context, [Recipient("p1", "张三", "a@b.cn")])
    assert planned.error and "render" in planned.error


def test_deadline_reminder_three_days_ahead():
    assert "mediation.extended" in DEADLINE_EVENTS
    due = deadline_notice_due({"deadline": "2026-04-01"})
    assert due == datetime(2026, 3, 29, 23, 59, tzinfo=CHINA_TIME)
    assert deadline_notice_due({}) is None
    assert parse_time("2026-04-01T10:00:00+00:00") == datetime(2026, 4, 1, 10, tzinfo=timezone.utc)
    assert parse_time("garbage") is None
    assert due - parse_time("2026-04-01") == -timedelta(days=3)


def test_art205_the_confirmation_reminder_comes_five_days_before_the_window_closes():
    from services.notify.domain.notice_plan import confirmation_notice_due

    data = {"judicial_confirmation_due_at": "2027-01-05T00:00:00+08:00"}
    assert confirmation_notice_due(data) == datetime.fromisoformat("2026-12-31T00:00:00+08:00")
    assert confirmation_notice_due({}) is None
    context = notice_context(NoticeKind.CONFIRMATION_CLOSING, {"case_number": "(2026)鲁0202民诉前调1号"}, data)
    # the window ends at the end of 4 January: the notice names 4 January, not the 5th
    assert context["applies_until"].date().isoformat() == "2027-01-04" and context["days_left"] == 5
    assert context["applies_until"] + timedelta(minutes=1) == datetime.fromisoformat("2027-01-05T00:00:00+08:00")


def test_art26_a_pause_voids_the_deadline_reminder_and_resumption_plans_it_again():
    from services.notify.domain.notice_plan import PAUSE_EVENTS

    assert "mediation.paused" in PAUSE_EVENTS and "mediation.resumed" in DEADLINE_EVENTS
    assert "mediation.paused" not in DEADLINE_EVENTS
    due = deadline_notice_due({"deadline": "2026-04-14T00:00:00+08:00"})
    assert due == datetime.fromisoformat("2026-04-11T00:00:00+08:00")

from datetime import date, datetime, timezone

import pytest
from jinja2 import UndefinedError

from services.notify.domain.notices import (
    EVENT_NOTICES,
    NoticeKind,
    Recipient,
    render_notice,
    sms_message,
)

CONTEXT = {
    "recipient_name": "张三",
    "case_number": "(2026)鲁0202民诉前调123号",
    "category": "property_service",
    "partner_name": "市南区人民调解中心",
    "mode": "delegation",
    "period_days": 30,
    "scheduled_at": datetime(2026, 3, 5, 6, 30, tzinfo=timezone.utc),
    "location": "市南区香港中路1号",
    "deadline": date(2026, 4, 1),
    "days_left": 3,
    "applies_until": date(2027, 1, 4),
}


def test_routed_notice_names_the_partner_mode_and_period():
    subject, body = render_notice(NoticeKind.CASE_ROUTED, CONTEXT)
    assert subject == "【诉调对接】您的纠纷已分派至市南区人民调解中心调解"
    assert "张三，您好" in body
    assert "(2026)鲁0202民诉前调123号" in body and "物业服务合同" in body
    assert "立案前委派调解" in body and "30日" in body


def test_session_notice_shows_china_time():
    subject, body = render_notice("session_scheduled", CONTEXT)
    assert "2026年3月5日 14:30" in subject
    assert "市南区香港中路1号" in body


def test_online_session_has_no_location():
    context = {k: v for k, v in CONTEXT.items() if k != "location"} | {"online": True}
    _, body = render_notice("session_scheduled", context)
    assert "在线调解" in body and "地点" not in body


def test_deadline_near_notice():
    subject, body = render_notice("deadline_near", CONTEXT)
    assert "2026年4月1日" in subject and "还剩3日" in body


@pytest.mark.parametrize(("kind", "phrase"), [
    (NoticeKind.OUTCOME_SETTLED, "司法确认"),
    (NoticeKind.OUTCOME_FAILED, "登记立案"),
    (NoticeKind.OUTCOME_WITHDRAWN, "撤回申请"),
    (NoticeKind.OUTCOME_EXPIRED, "期限已届满"),
])
def test_outcome_notices(kind, phrase):
    subject, body = render_notice(kind, CONTEXT)
    assert subject.startswith("【诉调对接】")
    assert phrase in body


def test_entrustment_settlement_mentions_halved_fee_not_confirmation():
    _, body = render_notice("outcome_settled", CONTEXT | {"mode": "entrustment"})
    assert "减半" in body and "司法确认" not in body


def test_text_is_not_html_escaped():
    _, body = render_notice("case_routed", CONTEXT | {"partner_name": "A&B<调解>中心"})
    assert "A&B<调解>中心" in body


def test_missing_context_is_an_error_not_a_blank():
    context = {k: v for k, v in CONTEXT.items() if k != "partner_name"}
    with pytest.raises(UndefinedError):
        render_notice("case_routed", context)


def test_art205_confirmation_closing_notice_names_the_last_day_and_the_articles():
    subject, body = render_notice(NoticeKind.CONFIRMATION_CLOSING, {**CONTEXT, "days_left": 5})
    assert "2027年1月4日" in subject and "司法确认" in subject
    assert "第二百零五条" in body and "第八十五条" in body and "还剩5日" in body
    template, params = sms_message(NoticeKind.CONFIRMATION_CLOSING, {**CONTEXT, "days_left": 5})
    assert template == "confirmation_closing" and params["applies_until"] == "2027年1月4日"


def test_every_kind_has_a_template():
    for kind in NoticeKind:
        subject, body = render_notice(kind, CONTEXT)
        assert subject and body.strip()


def test_events_map_to_notices():
    assert EVENT_NOTICES["case.routed"] is NoticeKind.CASE_ROUTED
    assert EVENT_NOTICES["mediation.expired"] is NoticeKind.OUTCOME_EXPIRED


def test_recipients_never_show_their_contacts_in_repr():
    recipients = [Recipient("a1", "张三", "zhangsan@example.cn", "13800000000"),
                  Recipient("t1", "李四", None, "13900000001")]
    shown = repr(recipients)
    assert "13800000000" not in shown and "zhangsan" not in shown and "13900000001" not in shown


def test_sms_message_has_template_code_and_short_params():
    template, params = sms_message("session_scheduled", CONTEXT)
    assert template == "session_scheduled"
    assert params == {"case_number": "(2026)鲁0202民诉前调123号", "scheduled_at": "2026年3月5日 14:30",
                      "partner_name": "市南区人民调解中心"}

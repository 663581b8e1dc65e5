"""The webhook body and id, and who an event is for."""

import json
import uuid
from datetime import datetime, timedelta, timezone

from services.notify.domain.audience import concerned_partners, endpoint_wants
from services.notify.domain.payload import message_id, webhook_body


def test_message_id_is_stable_per_event():
    event_id = str(uuid.uuid4())
    assert message_id(event_id) == message_id(event_id) == "msg_" + uuid.UUID(event_id).hex
    assert message_id(str(uuid.uuid4())) != message_id(event_id)


def test_body_follows_the_contract_and_carries_no_contacts():
    at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone(timedelta(hours=8)))
    body = json.loads(webhook_body("case.received", "e1", "c1", at, {
        "case_number": "(2026)鲁0202民诉前调1号",
        "parties": [{"name": "张三", "phone": "13800000000", "email": "a@b.cn", "address": "市南区"}]}))
    assert set(body) == {"type", "timestamp", "data"}
    assert body["type"] == "case.received" and body["timestamp"] == "2026-03-02T01:00:00+00:00"
    assert body["data"]["case_id"] == "c1" and body["data"]["event_id"] == "e1"
    assert body["data"]["parties"] == [{"name": "张三"}]


def test_partner_endpoints_hear_only_their_cases_ops_hear_all():
    concerned = concerned_partners({"partner_id": "P13"}, "P12")
    assert concerned == {"P12", "P13"}
    assert endpoint_wants(None, ["case.routed"], "case.routed", frozenset())
    assert endpoint_wants("P12", ["case.routed"], "case.routed", concerned)
    assert not endpoint_wants("P24", ["case.routed"], "case.routed", concerned)
    assert not endpoint_wants("P12", ["case.received"], "case.routed", concerned)

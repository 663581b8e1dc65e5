"""Valid case bodies for tests (the contract's example, with real check digits)."""

from __future__ import annotations

import copy

_BASE = {
    "court_code": "370202",
    "external_ref": "SN-2026-000123",
    "stage": "pre_filing",
    "category": "property_service",
    "summary": "物业费纠纷",
    "claim_amount": "12500.00",
    "district": "370202",
    "parties": [
        {"role": "applicant", "kind": "person", "name": "张三", "id_number": "370202198001011232",
         "phone": "13800000000", "consents_to_mediation": True},
        {"role": "respondent", "kind": "organization", "name": "青岛某物业服务有限公司",
         "id_number": "91370200MA3C00000K", "consents_to_mediation": True,
         "represented_by": {"name": "李四", "law_firm": "某律师事务所"}},
    ],
    "preferred_partner_id": None,
}


def case_body(**changes) -> dict:
    body = copy.deepcopy(_BASE)
    body.update(changes)
    return body

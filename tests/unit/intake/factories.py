"""Valid identity numbers and case bodies for the intake tests."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

from stdnum.cn import ric, uscc

TODAY = date(2026, 3, 2)


def resident_id(region: str = "370202", birth: str = "19800101", sequence: str = "123") -> str:
    first17 = region + birth + sequence
    return first17 + ric.calc_check_digit(first17 + "0")


def with_wrong_check_digit(number: str) -> str:
    right = number[-1]
    wrong = "0" if right != "0" else "1"
    return number[:-1] + wrong


def credit_code(first17: str = "91370200MA3C00000") -> str:
    return first17 + uscc.calc_check_digit(first17 + "0")


APPLICANT_ID = resident_id("370202", "19800101", "123")
RESPONDENT_USCC = credit_code("91370200MA3C00000")


def person(role: str = "applicant", **overrides: Any) -> dict[str, Any]:
    party = {"role": role, "kind": "person", "name": "张三", "id_number": APPLICANT_ID,
             "phone": "13800000000", "consents_to_mediation": True}
    party.update(overrides)
    return party


def organization(role: str = "respondent", **overrides: Any) -> dict[str, Any]:
    party = {"role": role, "kind": "organization", "name": "青岛某物业服务有限公司",
             "id_number": RESPONDENT_USCC, "consents_to_mediation": True,
             "represented_by": {"name": "李四", "law_firm": "某律师事务所"}}
    party.update(overrides)
    return party


def body(stage: str = "pre_filing", **overrides: Any) -> dict[str, Any]:
    case: dict[str, Any] = {
        "court_code": "370202",
        "external_ref": "SN-2026-000123",
        "stage": stage,
        "court_case_number": None,
        "category": "property_service",
        "summary": "物业费纠纷：拖欠物业费两年",
        "claim_amount": "12500.00",
        "district": "370202",
        "parties": [person(), organization()],
        "preferred_partner_id": None,
    }
    if stage in ("post_filing", "in_litigation"):
        case.update(court_case_number="(2026)鲁0202民初456号", procedure="summary")
    if stage == "direct":
        case.update(partner_id="P01")
    case.update(overrides)
    return copy.deepcopy(case)

from datetime import datetime, timezone
from decimal import Decimal
from uuid import uuid4

import pytest
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.testclient import TestClient
from pydantic import ValidationError

from services.intake.api.schemas import (
    CaseCreate,
    WithdrawRequest,
    field_errors,
    field_path,
    validate_case_body,
)
from services.intake.domain.read_model import apply_event, new_read_model
from services.intake.domain.reference import COURT_CODES, DISTRICT_CODES

from .factories import (
    APPLICANT_ID,
    RESPONDENT_USCC,
    TODAY,
    body,
    credit_code,
    organization,
    person,
    resident_id,
    with_wrong_check_digit,
)


def _with(stage="pre_filing", **changes):
    return body(stage, **changes)


def _party(index, **changes):
    case = body()
    case["parties"][index].update(changes)
    return case


def _without(key, index=None, stage="pre_filing"):
    case = body(stage)
    target = case if index is None else case["parties"][index]
    del target[key]
    return case


def _parties(*parties):
    return body(parties=list(parties))


THIRD = person("third_party", name="王五", id_number=resident_id("370203", "19751212", "456"), phone=None)

BAD_BODIES = [
    ("wrong check digit", _party(0, id_number=with_wrong_check_digit(APPLICANT_ID)), "parties[0].id_number"),
    ("impossible birth date 30 Feb", _party(0, id_number=resident_id("370202", "19800230")), "parties[0].id_number"),
    ("month 13", _party(0, id_number=resident_id("370202", "19801301")), "parties[0].id_number"),
    ("birth date in the future", _party(0, id_number=resident_id("370202", "20990101")), "parties[0].id_number"),
    ("born more than 150 years ago", _party(0, id_number=resident_id("370202", "18000101")), "parties[0].id_number"),
    ("unknown address code", _party(0, id_number=resident_id("370299", "19800101")), "parties[0].id_number"),
    ("id too short", _party(0, id_number="37020219800101"), "parties[0].id_number"),
    ("id oversize", _party(0, id_number="3" * 40), "parties[0].id_number"),
    ("id with letters", _party(0, id_number="37020219800101ABCD"), "parties[0].id_number"),
    ("organization with resident id", _party(1, id_number=resident_id("370203", "19810101", "555")),
     "parties[1].id_number"),
    ("person with credit code", _party(0, id_number=credit_code("91370200MA3C11111")), "parties[0].id_number"),
    ("credit code bad check character", _party(1, id_number=RESPONDENT_USCC[:-1] + "0"
                                               if RESPONDENT_USCC[-1] != "0" else RESPONDENT_USCC[:-1] + "1"),
     "parties[1].id_number"),
    ("missing respondent", _parties(person(), THIRD), "parties"),
    ("missing applicant", _parties(organization(), THIRD), "parties"),
    ("a single party", _parties(person()), "parties"),
    ("no parties", _with(parties=[]), "parties"),
    ("parties not a list", _with(parties="张三 v 物业"), "parties"),
    ("parties missing", _without("parties"), "parties"),
    ("too many parties", _parties(person(), organization(),
                                  *[person("third_party", id_number=resident_id("370203", "19700101", f"{i:03d}"))
                                    for i in range(1, 50)]), "parties"),
    ("same party twice", _parties(person(), organization(), person("third_party")), "parties[2].id_number"),
    ("same organization as applicant and respondent",
     _parties(organization("applicant"), organization("respondent")), "parties[1].id_number"),
    ("court number before filing", _with(court_case_number="(2026)鲁0202民初1号"), "court_case_number"),
    ("procedure before filing", _with(procedure="ordinary"), "procedure"),
    ("post filing without court number", _with("post_filing", court_case_number=None), "court_case_number"),
    ("post filing without procedure", _without("procedure", stage="post_filing"), "procedure"),
    ("in litigation without court number", _with("in_litigation", court_case_number=None), "court_case_number"),
    ("direct with court number", _with("direct", court_case_number="(2026)鲁0202民初1号"), "court_case_number"),
    ("unknown procedure", _with("post_filing", procedure="fast_track"), "procedure"),
    ("unknown stage", _with(stage="appeal"), "stage"),
    ("unknown category", _with(category="divorce_of_robots"), "category"),
    ("unknown district", _with(district="370299"), "district"),
    ("district of another city", _with(district="110101"), "district"),
    ("unknown court", _with(court_code="370299"), "court_code"),
    ("court code as a number", _with(court_code=370202), "court_code"),
    ("negative amount", _with(claim_amount="-1.00"), "claim_amount"),
    ("amount as a JSON number", _with(claim_amount=12500), "claim_amount"),
    ("amount with three decimals", _with(claim_amount="12500.005"), "claim_amount"),
    ("amount of a trillion", _with(claim_amount="1000000000000.00"), "claim_amount"),
    ("amount not a number", _with(claim_amount="twelve thousand"), "claim_amount"),
    ("consent as a string", _party(0, consents_to_mediation="yes"), "parties[0].consents_to_mediation"),
    ("consent as a number", _party(1, consents_to_mediation=1), "parties[1].consents_to_mediation"),
    ("consent missing", _without("consents_to_mediation", index=1), "parties[1].consents_to_mediation"),
    ("summary as a number", _with(summary=123), "summary"),
    ("summary missing", _without("summary"), "summary"),
    ("summary oversize", _with(summary="纠" * 4001), "summary"),
    ("name oversize", _party(0, name="张" * 201), "parties[0].name"),
    ("name empty", _party(0, name="   "), "parties[0].name"),
    ("name with control character", _party(0, name="张\x00三"), "parties[0].name"),
    ("external ref oversize", _with(external_ref="X" * 65), "external_ref"),
    ("external ref missing", _without("external_ref"), "external_ref"),
    ("address oversize", _party(0, address="路" * 501), "parties[0].address"),
    ("address longer than stored", _party(0, address="路" * 301), "parties[0].address"),
    ("email longer than stored", _party(0, email="a" * 190 + "@example.com"), "parties[0].email"),
    ("law firm oversize", _party(1, represented_by={"name": "李四", "law_firm": "所" * 201}),
     "parties[1].represented_by.law_firm"),
    ("unknown top-level field", _with(nickname="x"), "nickname"),
    ("unknown party field", _party(0, nickname="小张"), "parties[0].nickname"),
    ("malformed email", _party(0, email="not-an-address"), "parties[0].email"),
    ("unknown representative field", _party(1, represented_by={"name": "李四", "bar_number": "1"}),
     "parties[1].represented_by.bar_number"),
    ("landline phone", _party(0, phone="053288888888"), "parties[0].phone"),
    ("phone garbage", _party(0, phone="call me maybe"), "parties[0].phone"),
    ("phone as a number", _party(0, phone=13800000000), "parties[0].phone"),
    ("unknown role", _party(0, role="witness"), "parties[0].role"),
    ("unknown kind", _party(0, kind="robot"), "parties[0].kind"),
    ("direct without partner", _with("direct", partner_id=None), "partner_id"),
    ("partner named before filing", _with(partner_id="P01"), "partner_id"),
    ("preferred partner malformed", _with(preferred_partner_id="X12"), "preferred_partner_id"),
    ("preferred partner P00", _with(preferred_partner_id="P00"), "preferred_partner_id"),
    ("preferred partner on a direct case", _with("direct", preferred_partner_id="P12"), "preferred_partner_id"),
]


def test_at_least_forty_bad_bodies():
    assert len(BAD_BODIES) >= 40


@pytest.mark.parametrize("case,expected", [(b, f) for _, b, f in BAD_BODIES], ids=[n for n, _, _ in BAD_BODIES])
def test_bad_body_names_exactly_the_field_at_fault(case, expected):
    with pytest.raises(ValidationError) as caught:
        validate_case_body(case, today=TODAY)
    assert [e.field for e in field_errors(caught.value.errors())] == [expected]


# --- through FastAPI: RequestValidationError carries the same paths ----------------------------

def _app() -> FastAPI:
    app = FastAPI()

    @app.exception_handler(RequestValidationError)
    async def _problem(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [e.model_dump() for e in field_errors(exc.errors())]
        return JSONResponse({"status": 422, "errors": errors, "locs": [list(e["loc"]) for e in exc.errors()]},
                            status_code=422, media_type="application/problem+json")

    @app.post("/v1/cases", status_code=201)
    async def create(case: CaseCreate) -> dict:
        return {"stage": case.stage}

    return app


@pytest.fixture(scope="module")
def client():
    return TestClient(_app())


@pytest.mark.parametrize("case,expected", [(b, f) for _, b, f in BAD_BODIES], ids=[n for n, _, _ in BAD_BODIES])
def test_bad_body_answers_422_with_the_field_path(client, case, expected):
    response = client.post("/v1/cases", json=case)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [expected]


def test_request_validation_loc_points_into_the_party(client):
    response = client.post("/v1/cases", json=_party(1, id_number=APPLICANT_ID))
    assert response.json()["locs"] == [["body", "parties", 1, "id_number"]]


def test_problem_errors_never_echo_the_id_number(client):
    bad = with_wrong_check_digit(APPLICANT_ID)
    response = client.post("/v1/cases", json=_party(0, id_number=bad, phone="053288888888"))
    errors = response.json()["errors"]
    assert {e["field"] for e in errors} == {"parties[0].id_number", "parties[0].phone"}
    assert bad not in str(errors) and "053288888888" not in str(errors)


def test_all_faults_are_reported_at_once():
    case = _with(category="nope", claim_amount="-5", court_case_number="(2026)鲁0202民初1号")
    case["parties"][0]["phone"] = "12"
    with pytest.raises(ValidationError) as caught:
        validate_case_body(case, today=TODAY)
    fields = {e.field for e in field_errors(caught.value.errors())}
    assert fields == {"category", "claim_amount", "court_case_number", "parties[0].phone"}


@pytest.mark.parametrize("index,number,error_type", [
    (1, resident_id("370203", "19810101", "555"), "organization_with_resident_id"),
    (0, credit_code("91370200MA3C11111"), "person_with_uscc"),
    (0, with_wrong_check_digit(APPLICANT_ID), "resident_id_checksum"),
    (0, resident_id("370202", "19800230"), "resident_id_birth_date"),
])
def test_id_number_errors_say_what_is_wrong(index, number, error_type):
    with pytest.raises(ValidationError) as caught:
        validate_case_body(_party(index, id_number=number), today=TODAY)
    assert [e["type"] for e in caught.value.errors()] == [error_type]


def test_missing_respondent_message_says_which_role():
    with pytest.raises(ValidationError) as caught:
        validate_case_body(_parties(person(), THIRD), today=TODAY)
    assert "respondent" in caught.value.errors()[0]["msg"]


def test_duplicate_error_does_not_carry_the_full_id_number():
    with pytest.raises(ValidationError) as caught:
        validate_case_body(_parties(person(), organization(), person("third_party")), today=TODAY)
    assert APPLICANT_ID not in str(caught.value.errors())


@pytest.mark.parametrize("loc,path", [
    (("body", "parties", 1, "id_number"), "parties[1].id_number"),
    (("body", "court_case_number"), "court_case_number"),
    (("body", "parties", 0, "represented_by", "law_firm"), "parties[0].represented_by.law_firm"),
    (("query", "limit"), "limit"),
    (("body",), "body"),
    ((), "body"),
])
def test_field_path(loc, path):
    assert field_path(loc) == path


# --- good bodies -----------------------------------------------------------------------------

@pytest.mark.parametrize("stage", ["pre_filing", "post_filing", "in_litigation", "direct"])
def test_good_body_for_every_stage(stage):
    case = validate_case_body(body(stage), today=TODAY)
    assert case.stage == stage
    assert case.mode == {"pre_filing": "delegation", "post_filing": "entrustment",
                         "in_litigation": "invitation", "direct": "self"}[stage]


@pytest.mark.parametrize("district", DISTRICT_CODES)
@pytest.mark.parametrize("birth", ["19300101", "19600101", "19900615", "20080808"])
def test_good_body_for_every_district_and_age(district, birth):
    applicant = person(id_number=resident_id(district, birth, "317"))
    case = validate_case_body(body(district=district, parties=[applicant, organization()]), today=TODAY)
    assert case.parties[0].id_number == applicant["id_number"]


@pytest.mark.parametrize("court", COURT_CODES)
def test_good_body_for_every_court(court):
    assert validate_case_body(body(court_code=court), today=TODAY).court_code == court


def test_good_body_with_many_parties_and_optional_fields_absent():
    case = body(claim_amount=None, parties=[
        person(phone=None),
        person(id_number=resident_id("830000", "19800101", "222"), name="陈一", phone="+86 139 1234 5678",
               address="青岛市市南区香港中路10号"),
        organization(represented_by=None),
        person("respondent", id_number=resident_id("370215", "19600101", "111"), consents_to_mediation=False),
        THIRD,
    ])
    validated = validate_case_body(case, today=TODAY)
    assert len(validated.parties) == 5
    assert validated.claim_amount is None
    assert validated.parties[1].phone == "13912345678"
    assert validated.parties[3].consents_to_mediation is False


def test_values_are_normalized():
    case = validate_case_body(_with(claim_amount="12500", parties=[
        person(id_number=" " + "11010519491231002x" + " ", phone="+86 138-0000-0000"),
        organization(id_number=RESPONDENT_USCC.lower()),
    ]), today=TODAY)
    assert case.claim_amount == Decimal("12500.00")
    assert case.model_dump(mode="json")["claim_amount"] == "12500.00"
    assert case.parties[0].id_number == "11010519491231002X"
    assert case.parties[0].phone == "13800000000"
    assert case.parties[1].id_number == RESPONDENT_USCC


def test_zero_claim_amount_is_allowed():
    assert validate_case_body(_with(claim_amount="0"), today=TODAY).claim_amount == Decimal("0.00")


def test_fingerprint_ignores_key_order_and_spelling_but_not_content():
    a = validate_case_body(body(), today=TODAY)
    reordered = dict(reversed(list(body(claim_amount="12500").items())))
    b = validate_case_body(reordered, today=TODAY)
    c = validate_case_body(body(summary="另一个纠纷"), today=TODAY)
    assert a.fingerprint() == b.fingerprint()
    assert a.fingerprint() != c.fingerprint()


# --- other requests --------------------------------------------------------------------------

def test_withdraw_request_rejects_unknown_fields():
    assert WithdrawRequest().reason is None
    with pytest.raises(ValidationError):
        WithdrawRequest(reason="申请人撤回", extra=1)

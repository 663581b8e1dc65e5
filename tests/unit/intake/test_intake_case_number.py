import pytest

from services.intake.domain.case_number import CaseNumber, format_case_number, parse_case_number
from services.intake.domain.reference import (
    CATEGORY_CODES,
    COURT_CODES,
    DISTRICT_BY_CODE,
    DISTRICT_CODES,
    court_abbreviation,
    mode_for_stage,
)


def test_pre_filing_number_has_year_court_type_and_sequence():
    assert format_case_number(2026, "370202", 123) == "(2026)鲁0202民诉前调123号"


@pytest.mark.parametrize("district", DISTRICT_CODES)
def test_every_district_court_prints_its_own_abbreviation(district):
    assert format_case_number(2026, district, 1) == f"(2026)鲁{district[2:]}民诉前调1号"


def test_intermediate_court_prints_lu02():
    assert format_case_number(2027, "370200", 9) == "(2027)鲁02民诉前调9号"


@pytest.mark.parametrize("year,court,seq", [(2026, "370299", 1), (2026, "110101", 1), (2026, "370202", 0),
                                            (26, "370202", 1), (2026, "370202", -4)])
def test_impossible_case_numbers_are_refused(year, court, seq):
    with pytest.raises(ValueError):
        format_case_number(year, court, seq)


@pytest.mark.parametrize("court", COURT_CODES)
def test_case_numbers_parse_back(court):
    number = CaseNumber(2026, court, 4711)
    assert parse_case_number(str(number)) == number


@pytest.mark.parametrize("text", ["(2026)鲁0299民诉前调1号", "(2026)鲁0202民初1号", "(2026)鲁0202民诉前调0号",
                                  "2026鲁0202民诉前调1号"])
def test_foreign_numbers_do_not_parse(text):
    with pytest.raises(ValueError):
        parse_case_number(text)


def test_reference_lists_match_domain_md():
    assert len(CATEGORY_CODES) == 26 and "property_service" in CATEGORY_CODES
    assert len(DISTRICT_CODES) == 10
    assert set(COURT_CODES) == set(DISTRICT_CODES) | {"370200"}
    assert DISTRICT_BY_CODE["370215"].name_zh == "即墨区"
    assert court_abbreviation("370211") == "鲁0211"


@pytest.mark.parametrize("stage,mode", [("pre_filing", "delegation"), ("post_filing", "entrustment"),
                                        ("in_litigation", "invitation"), ("direct", "self")])
def test_stage_fixes_the_mode(stage, mode):
    assert mode_for_stage(stage) == mode


def test_a_case_filed_at_2027_01_01_00_30_beijing_is_numbered_in_2027():
    from datetime import datetime

    from services.intake.domain.case_number import case_number_year

    filed_at = datetime.fromisoformat("2027-01-01T00:30:00+08:00")  # still 2026-12-31 16:30 in UTC
    assert case_number_year(filed_at) == 2027
    assert format_case_number(case_number_year(filed_at), "370202", 1) == "(2027)鲁0202民诉前调1号"
    assert case_number_year(datetime.fromisoformat("2026-12-31T23:59:59+08:00")) == 2026


# -- the format's edges (a four-digit year, sequences from 1) and what a refusal says --------------
@pytest.mark.parametrize("year", [1000, 9999])
def test_the_first_and_last_four_digit_years_are_numbered(year):
    assert format_case_number(year, "370202", 1) == f"({year})鲁0202民诉前调1号"
    assert parse_case_number(f"({year})鲁0202民诉前调1号") == CaseNumber(year, "370202", 1)


@pytest.mark.parametrize("year", [999, 10000])
def test_a_year_without_four_digits_is_refused_saying_so(year):
    with pytest.raises(ValueError) as refused:
        format_case_number(year, "370202", 1)
    assert str(refused.value) == f"year must have four digits, got {year}"


def test_sequence_one_is_the_first_number_and_zero_is_refused_saying_so():
    assert format_case_number(2026, "370202", 1) == "(2026)鲁0202民诉前调1号"
    with pytest.raises(ValueError) as refused:
        format_case_number(2026, "370202", 0)
    assert str(refused.value) == "sequence numbers start at 1, got 0"


@pytest.mark.parametrize("text", ["(2026)鲁0202民初1号", "(2026)鲁0299民诉前调1号"])
def test_a_foreign_number_is_refused_quoting_it(text):
    with pytest.raises(ValueError) as refused:
        parse_case_number(text)
    assert str(refused.value) == f"not a pre-filing mediation case number: {text!r}"

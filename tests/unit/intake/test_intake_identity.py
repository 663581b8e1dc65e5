from datetime import date

import pytest
from stdnum.cn import ric

from services.intake.domain.identity import (
    InvalidIdentity,
    is_known_address_code,
    parse_resident_id,
    validate_mobile,
    validate_resident_id,
    validate_uscc,
)
from services.intake.domain.reference import DISTRICT_CODES
from shared.masking import mask_id_number, mask_phone

from .factories import TODAY, credit_code, resident_id, with_wrong_check_digit


def _code_of(call) -> str:
    with pytest.raises(InvalidIdentity) as caught:
        call()
    return caught.value.code


# --- GB 11643 resident IDs -------------------------------------------------------------------

def test_gb11643_sample_number_from_the_standard_validates():
    assert validate_resident_id("11010519491231002X", TODAY) == "11010519491231002X"


def test_gb11643_lowercase_x_is_normalized():
    assert validate_resident_id(" 11010519491231002x ", TODAY) == "11010519491231002X"


@pytest.mark.parametrize("district", DISTRICT_CODES)
@pytest.mark.parametrize("birth", ["19260315", "19400101", "19600101", "19821231", "20000229", "20260301"])
def test_gb11643_every_district_every_age_validates(district, birth):
    number = resident_id(district, birth)
    parsed = parse_resident_id(number, TODAY)
    assert parsed.region_code == district
    assert parsed.birth_date == date(int(birth[:4]), int(birth[4:6]), int(birth[6:]))


@pytest.mark.parametrize("district,birth", [
    ("370215", "19600101"),  # 即墨区, code from 2017
    ("370214", "19500505"),  # 城阳区, code from 1994
    ("370211", "19401010"),  # 黄岛区, code from 1983
    ("370202", "19700101"),  # 市南区, code from 1983
])
def test_gb11643_old_person_in_young_district_passes_although_stdnum_alone_rejects(district, birth):
    number = resident_id(district, birth)
    assert not ric.is_valid(number)  # why identity.py does not call ric.validate
    assert validate_resident_id(number, TODAY) == number


@pytest.mark.parametrize("region", ["370204", "370205", "370282", "370222"])
def test_gb11643_abolished_division_codes_stay_valid(region):
    # 台东区, 四方区, 即墨市, 即墨县: numbers are not reissued when divisions change.
    assert validate_resident_id(resident_id(region, "19550101"), TODAY)


@pytest.mark.parametrize("region", ["810000", "820000", "830000"])
def test_gb11643_hong_kong_macao_taiwan_residence_permits_validate(region):
    assert validate_resident_id(resident_id(region, "19800101"), TODAY)


def test_gb11643_foreigners_permanent_residence_id_validates():
    assert validate_resident_id(resident_id("937156", "19850101"), TODAY)


@pytest.mark.parametrize("region", ["370299", "000000", "990000", "123456"])
def test_gb11643_unknown_address_code_is_rejected(region):
    assert _code_of(lambda: validate_resident_id(resident_id(region, "19800101"), TODAY)) == "resident_id_region"


def test_gb11643_wrong_check_digit_is_rejected():
    number = with_wrong_check_digit(resident_id())
    assert _code_of(lambda: validate_resident_id(number, TODAY)) == "resident_id_checksum"


@pytest.mark.parametrize("birth", ["19800230", "19801301", "19800000", "20230229"])
def test_gb11643_impossible_birth_date_is_rejected(birth):
    assert _code_of(lambda: validate_resident_id(resident_id("370202", birth), TODAY)) == "resident_id_birth_date"


def test_gb11643_birth_date_after_today_is_rejected():
    assert _code_of(lambda: validate_resident_id(resident_id("370202", "20260303"), TODAY)) == "resident_id_birth_date"


def test_gb11643_birth_today_is_accepted():
    assert validate_resident_id(resident_id("370202", "20260302"), TODAY)


def test_gb11643_exactly_150_years_is_plausible_but_older_is_not():
    assert validate_resident_id(resident_id("370202", "18760302"), TODAY)
    assert _code_of(lambda: validate_resident_id(resident_id("370202", "18760301"), TODAY)) == "resident_id_birth_date"


@pytest.mark.parametrize("number,code", [
    ("3702021980010112", "resident_id_length"),
    ("3702021980010112345", "resident_id_length"),
    ("37020219800101123A", "resident_id_format"),
    ("3702X2198001011234", "resident_id_format"),
    ("３７０２０２１９８００１０１１２３４", "resident_id_format"),
])
def test_gb11643_shape_errors(number, code):
    assert _code_of(lambda: validate_resident_id(number, TODAY)) == code


def test_known_address_codes_do_not_depend_on_a_year():
    assert is_known_address_code("370215")
    assert not is_known_address_code("370216")


# --- GB 32100 unified social credit codes ----------------------------------------------------

def test_gb32100_published_sample_validates():
    assert validate_uscc("91110000600037341L") == "91110000600037341L"


@pytest.mark.parametrize("first17", ["91370200MA3C00000", "Y1370200MA3C00000", "N2370200123456789",
                                     "52370200MJD000000", "12370000004512345"])
def test_gb32100_codes_of_every_authority_validate(first17):
    code = credit_code(first17)
    assert validate_uscc(code.lower()) == code


def test_gb32100_wrong_check_character_is_rejected():
    code = credit_code()
    wrong = code[:-1] + ("1" if code[-1] != "1" else "2")
    assert _code_of(lambda: validate_uscc(wrong)) == "uscc_checksum"


@pytest.mark.parametrize("code,error", [
    ("91370200MA3C0000", "uscc_length"),
    ("Z1370200MA3C00000K", "uscc_format"),   # no authority Z
    ("90370200MA3C00000K", "uscc_format"),   # entity type 0 does not exist
    ("913702A0MA3C00000K", "uscc_format"),   # region must be digits
    ("91370200MI3C00000K", "uscc_format"),   # I is not in the alphabet
])
def test_gb32100_shape_errors(code, error):
    assert _code_of(lambda: validate_uscc(code)) == error


# --- phones ----------------------------------------------------------------------------------

@pytest.mark.parametrize("phone", ["13800000000", "+86 138 0000 0000", "+8613800000000", "138-0000-0000",
                                   "19912345678", "16612345678"])
def test_mainland_mobile_numbers_normalize_to_eleven_digits(phone):
    assert len(validate_mobile(phone)) == 11
    assert validate_mobile(phone).startswith("1")


@pytest.mark.parametrize("phone,code", [
    ("053288888888", "phone_not_mobile"),   # a Qingdao landline
    ("10012345678", "phone_invalid"),
    ("+1 202 555 0143", "phone_invalid"),
    ("+852 9123 4567", "phone_invalid"),    # Hong Kong is not the mainland
    ("call me", "phone_format"),
])
def test_phone_errors(phone, code):
    assert _code_of(lambda: validate_mobile(phone)) == code


# --- masking ---------------------------------------------------------------------------------

def test_mask_id_number_keeps_region_and_last_four():
    assert mask_id_number("370202198001011234") == "370202********1234"
    assert mask_id_number("91370200MA3C00000K") == "913702********000K"


def test_mask_phone_keeps_prefix_and_last_four():
    assert mask_phone("13800000000") == "138****0000"


def test_masks_of_short_values_reveal_nothing():
    assert mask_id_number("12345") == "*****"
    assert mask_phone("123") == "***"

"""Identity numbers and phones of the parties: validation a court would trust, and masking.

- Resident ID (居民身份证号码, GB 11643): 6-digit address code, 8-digit birth date, 3-digit sequence,
  ISO 7064 MOD 11-2 check character.
- Unified social credit code (统一社会信用代码, GB 32100): registration authority, entity type,
  6-digit region, 9-character organisation code, MOD 31 check character.
- Mainland mobile numbers.

Why not simply `stdnum.cn.ric.validate`: it accepts an address code only if the code was in force in
the holder's *birth year*. But the address code is where the number was issued, and numbers are not
reissued when districts are created or renamed. So a person born in 1960 and first registered in
即墨区 (370215, created 2017), or in 市南区 (370202, code in use from 1983), holds a perfectly real
number that stdnum rejects. We therefore verify the check digit and the birth date ourselves (with
stdnum's GB 11643 arithmetic) and accept any address code that is or ever was on the
administrative-division list, whatever its age.

The division list is the reference data shipped with python-stdnum, loaded once on first use.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberType
from stdnum.cn import ric, uscc

MAX_AGE_YEARS = 150

# Residence permits for residents of Hong Kong, Macao and Taiwan (港澳台居民居住证, 2018) use these
# address codes with the GB 11643 layout; 830000 is not on the division list.
RESIDENCE_PERMIT_CODES = frozenset({"810000", "820000", "830000"})

# GB 32100 registration authorities (登记管理部门代码): 1-9, A (military), N (agriculture), Y (other).
USCC_AUTHORITIES = frozenset("123456789ANY")
USCC_ALPHABET = frozenset("0123456789ABCDEFGHJKLMNPQRTUWXY")


class InvalidIdentity(ValueError):
    """A number that fails validation; `code` is stable for clients, the message is for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class ResidentId:
    number: str
    region_code: str
    birth_date: date


# --- resident ID -----------------------------------------------------------------------------

def normalize_identity_number(number: str) -> str:
    return number.strip().upper()


def validate_resident_id(number: str, today: date) -> str:
    """The normalized 18-character resident ID, or InvalidIdentity. `today` bounds the birth date."""
    return parse_resident_id(number, today).number


def parse_resident_id(number: str, today: date) -> ResidentId:
    number = normalize_identity_number(number)
    _check_resident_id_shape(number)
    if number[-1] != ric.calc_check_digit(number):
        raise InvalidIdentity("resident_id_checksum", "check digit does not match (GB 11643)")
    born = _birth_date(number)
    _check_plausible_birth_date(born, today)
    if not is_known_address_code(number[:6]):
        raise InvalidIdentity("resident_id_region", "address code is not an administrative division code")
    return ResidentId(number=number, region_code=number[:6], birth_date=born)


def _check_resident_id_shape(number: str) -> None:
    if len(number) != 18:
        raise InvalidIdentity("resident_id_length", "a resident ID has 18 characters")
    if not (number[:17].isascii() and number[:17].isdigit()) or number[-1] not in "0123456789X":
        raise InvalidIdentity("resident_id_format", "a resident ID is 17 digits and a digit or X")


def _birth_date(number: str) -> date:
    try:
        return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidIdentity("resident_id_birth_date", "birth date is not a calendar date") from None


def _check_plausible_birth_date(born: date, today: date) -> None:
    if born > today:
        raise InvalidIdentity("resident_id_birth_date", "birth date is in the future")
    if born < _years_before(today, MAX_AGE_YEARS):
        raise InvalidIdentity("resident_id_birth_date", f"birth date is more than {MAX_AGE_YEARS} years ago")


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a common year
        return day.replace(year=day.year - years, day=28)


def is_known_address_code(code: str) -> bool:
    """Whether a 6-digit code is, or ever was, a division code usable in a resident ID."""
    if code in RESIDENCE_PERMIT_CODES:
        return True
    if code.startswith("9"):
        return _is_permanent_residence_code(code)
    return _is_division_code(code)


def _is_permanent_residence_code(code: str) -> bool:
    # Foreigners' permanent residence ID (外国人永久居留身份证, 2023): 9, the province of issue,
    # a 3-digit nationality code; the rest of the number follows GB 11643.
    return _is_division_code(code[1:3] + "0000") and code[3:6].isdigit()


@lru_cache(maxsize=4096)
def _is_division_code(code: str) -> bool:
    # Any validity period counts: the list's [start-end] years say when a code was assigned, which
    # bounds when a number could be issued, not when its holder was born.
    from stdnum import numdb

    parts = numdb.get("cn/loc").info(code)
    if len(parts) < 2 or "".join(part for part, _ in parts) != code:
        return False
    return "county" in parts[-1][1]


# --- unified social credit code --------------------------------------------------------------

def validate_uscc(number: str) -> str:
    """The normalized 18-character unified social credit code, or InvalidIdentity."""
    number = normalize_identity_number(number)
    if len(number) != 18:
        raise InvalidIdentity("uscc_length", "a unified social credit code has 18 characters")
    if not _uscc_shape_ok(number):
        raise InvalidIdentity("uscc_format", "not the layout of a unified social credit code (GB 32100)")
    if number[-1] != uscc.calc_check_digit(number):
        raise InvalidIdentity("uscc_checksum", "check character does not match (GB 32100)")
    return number


def _uscc_shape_ok(number: str) -> bool:
    # stdnum insists on a digit in front, which would refuse real codes of authorities A, N and Y.
    region = number[2:8]
    return (
        number[0] in USCC_AUTHORITIES
        and number[1] in "123456789"
        and region.isascii() and region.isdigit()
        and all(c in USCC_ALPHABET for c in number[8:])
    )


# --- phones ----------------------------------------------------------------------------------

def validate_mobile(phone: str) -> str:
    """A mainland mobile number as its 11 national digits ("13800000000"), or InvalidIdentity."""
    try:
        parsed = phonenumbers.parse(phone, "CN")
    except NumberParseException:
        raise InvalidIdentity("phone_format", "not a phone number") from None
    # A number of the CN region is valid exactly when its type is known: is_valid_number would match
    # it against the region's patterns a second time.
    kind = phonenumbers.number_type(parsed) if phonenumbers.region_code_for_number(parsed) == "CN" else None
    if kind in (None, PhoneNumberType.UNKNOWN):
        raise InvalidIdentity("phone_invalid", "not a valid mainland China phone number")
    if kind != PhoneNumberType.MOBILE:
        raise InvalidIdentity("phone_not_mobile", "not a mobile number")
    return phonenumbers.national_significant_number(parsed)


"""Identity numbers and phones that pass intake's validation because their check characters are
computed, not copied: GB 11643 resident IDs, GB 32100 unified social credit codes, mainland mobiles."""

from __future__ import annotations

import random
from datetime import date, timedelta

_RIC_WEIGHTS = [pow(2, 17 - i, 11) for i in range(17)]
_RIC_CHECK = "10X98765432"  # ISO 7064 MOD 11-2, indexed by the weighted sum mod 11

_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100 leaves out I, O, Z, S, V
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)  # GB 11714, the organisation code inside the USCC

# Prefixes in service with the three carriers; phonenumbers' metadata knows them all as mobile.
_MOBILE_PREFIXES = ("134", "135", "136", "138", "139", "150", "151", "152", "157", "158", "159", "182",
                    "187", "188", "130", "131", "132", "155", "156", "185", "186", "133", "153", "180",
                    "181", "189", "177", "199")


def resident_id(rnd: random.Random, region: str, *, oldest: int = 1950, youngest: int = 2004) -> str:
    """An 18-character resident ID issued in `region` to someone born between the two years."""
    first = date(oldest, 1, 1)
    born = first + timedelta(days=rnd.randrange((date(youngest, 12, 31) - first).days))
    body = f"{region}{born:%Y%m%d}{rnd.randrange(1000):03d}"
    return body + _RIC_CHECK[sum(int(c) * w for c, w in zip(body, _RIC_WEIGHTS)) % 11]


def _organisation_code(rnd: random.Random) -> str:
    digits = [rnd.randrange(10) for _ in range(8)]
    check = 11 - sum(d * w for d, w in zip(digits, _ORG_WEIGHTS)) % 11
    return "".join(map(str, digits)) + {10: "X", 11: "0"}.get(check, str(check))


def social_credit_code(rnd: random.Random, region: str) -> str:
    """An enterprise's code (authority 9, type 1) registered in `region`."""
    body = f"91{region}{_organisation_code(rnd)}"
    total = sum(_USCC_ALPHABET.index(c) * w for c, w in zip(body, _USCC_WEIGHTS))
    return body + _USCC_ALPHABET[(31 - total % 31) % 31]


def mobile(rnd: random.Random) -> str:
    return rnd.choice(_MOBILE_PREFIXES) + f"{rnd.randrange(10 ** 8):08d}"

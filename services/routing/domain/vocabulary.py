"""The routing domain's fixed vocabulary: stages, modes, procedures, dispute categories, districts.

Codes are the public contract's enum strings; the Chinese names are the real legal terms and are
used in the human-readable explanations that ops users read.
"""

from __future__ import annotations

from types import MappingProxyType

from shared import labels_zh

# The contract's vocabulary has one definition for all four services.
from shared.vocabulary import Mode, PartyRole, Procedure, Stage  # noqa: F401

MODE_NAMES_ZH = MappingProxyType({mode: labels_zh.MODES[mode.value] for mode in Mode})

CATEGORIES = labels_zh.CATEGORIES

# Qingdao, in the order of domain.md's districts table (P01..P10 follow this order).
QINGDAO_CITY = "370200"
QINGDAO_DISTRICTS = MappingProxyType({code: name for code, name in labels_zh.DISTRICTS.items() if code != QINGDAO_CITY})


def city_of(district: str) -> str:
    """The prefecture-level city of a GB/T 2260 district code: its first four digits, then 00."""
    return district[:4] + "00"


def is_area_code(code: str) -> bool:
    return len(code) == 6 and code.isascii() and code.isdigit()


def district_words(district: str) -> str:
    name = QINGDAO_DISTRICTS.get(district)
    return f"{name} ({district})" if name else district


def category_words(category: str) -> str:
    name = CATEGORIES.get(category)
    return f"{category} ({name})" if name else category


def mode_words(mode: Mode) -> str:
    return f"{mode.value} ({MODE_NAMES_ZH[mode]})"

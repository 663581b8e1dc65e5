"""Numbers of pre-filing mediation cases (诉前调解案号): (2026)鲁0202民诉前调123号.

Year, the court's abbreviation, the case type 民诉前调, and a sequence per court per year. Keeping
the sequence gapless and unique is the store's job; this module only knows the format.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from services.intake.domain.reference import (
    DISTRICTS,
    INTERMEDIATE_COURT,
    INTERMEDIATE_COURT_ABBREVIATION,
    court_abbreviation,
)
from shared.clock import beijing_date

PRE_FILING_CASE_TYPE = "民诉前调"

_PATTERN = re.compile(r"^\((\d{4})\)(鲁\d{2}(?:\d{2})?)民诉前调([1-9]\d*)号$")
_COURT_BY_ABBREVIATION = {d.court_code: d.code for d in DISTRICTS} | {
    INTERMEDIATE_COURT_ABBREVIATION: INTERMEDIATE_COURT,
}


@dataclass(frozen=True, slots=True)
class CaseNumber:
    year: int
    court_code: str
    sequence: int

    def __str__(self) -> str:
        return format_case_number(self.year, self.court_code, self.sequence)


def case_number_year(filed_at: datetime) -> int:
    """The year a case is numbered in: the Beijing date's, so a case filed at 2027-01-01 00:30 in
    Asia/Shanghai (still 2026-12-31 in UTC) is (2027)…1号, the first of the court's new year."""
    return beijing_date(filed_at).year


def format_case_number(year: int, court_code: str, seq: int) -> str:
    """format_case_number(2026, "370202", 123) -> "(2026)鲁0202民诉前调123号"."""
    if not 1000 <= year <= 9999:
        raise ValueError(f"year must have four digits, got {year}")
    if seq < 1:
        raise ValueError(f"sequence numbers start at 1, got {seq}")
    return f"({year}){court_abbreviation(court_code)}{PRE_FILING_CASE_TYPE}{seq}号"


def parse_case_number(text: str) -> CaseNumber:
    match = _PATTERN.match(text)
    if match is None or match.group(2) not in _COURT_BY_ABBREVIATION:
        raise ValueError(f"not a pre-filing mediation case number: {text!r}")
    year, abbreviation, seq = match.groups()
    return CaseNumber(int(year), _COURT_BY_ABBREVIATION[abbreviation], int(seq))

"""The numbers a Chinese court gives the files it opens on a hand-off, e.g. (2026)鲁0202民诉前调确12号."""

from __future__ import annotations

# The court's own file type per hand-off type.
CASE_TYPE_WORDS = {
    "judicial_confirmation": "民诉前调确",  # confirmation after pre-filing mediation
    "mediation_document": "民诉前调书",  # mediation document
    "agreement_filed": "民诉前调备",  # agreement lodged with the court (备案) when confirmation is not sought
    "docket": "民初",  # first-instance civil docket
    "withdrawal": "民初",
    "resume_trial": "民初",
}
# These continue a file the court already has, so its existing number is the answer.
CONTINUES_EXISTING_FILE = frozenset({"withdrawal", "resume_trial"})
PROVINCE_ABBREVIATIONS = {"37": "鲁"}


def court_abbreviation(court_code: str) -> str:
    """'370202' -> '鲁0202', '370200' (an intermediate court) -> '鲁02'; '鲁0202' stays."""
    if not (court_code.isdigit() and len(court_code) == 6):
        return court_code
    province = PROVINCE_ABBREVIATIONS.get(court_code[:2])
    if province is None:
        return court_code
    rest = court_code[2:]
    return province + (rest[:2] if rest.endswith("00") else rest)


def court_case_number(year: int, court_code: str, handoff_type: str, sequence: int) -> str:
    return f"({year}){court_abbreviation(court_code)}{CASE_TYPE_WORDS[handoff_type]}{sequence}号"

"""The parties' joint choice window (2021 Art 10): when a ruleset opens one, and when it closes."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from services.routing.domain.case import RoutingCase
from services.routing.domain.choice import opens_window, window
from services.routing.domain.policy import SPC_2016, SPC_2025
from services.routing.domain.ruleset import DEFAULT_RULESET_DOCUMENT, validate_ruleset
from shared.holidays import shipped_calendar
from tests.support.cases import case_body

BJ = timezone(timedelta(hours=8))
GIVES_TWO_DAYS = validate_ruleset({**DEFAULT_RULESET_DOCUMENT, "joint_choice": {"working_days": 2}})
DEFAULT = validate_ruleset(DEFAULT_RULESET_DOCUMENT)


def case(**changes) -> RoutingCase:
    body = case_body(**changes)
    for position, party in enumerate(body["parties"]):
        party["party_id"] = f"p{position}"
    return RoutingCase.from_case_body("c1", body)


def test_art10_2021_a_window_opens_only_when_the_ruleset_gives_one_and_the_parties_have_not_chosen():
    assert opens_window(case(), GIVES_TWO_DAYS, SPC_2016)
    assert not opens_window(case(), DEFAULT, SPC_2016)
    assert not opens_window(case(preferred_partner_id="P24"), GIVES_TWO_DAYS, SPC_2016)
    assert not opens_window(case(stage="direct", partner_id="P24"), GIVES_TWO_DAYS, SPC_2016)
    # nothing to choose for a case that goes back to the court at once
    assert not opens_window(case(), GIVES_TWO_DAYS, SPC_2025)  # pre-filing delegation refused
    refused = case_body()
    refused["parties"][1]["consents_to_mediation"] = False
    assert not opens_window(RoutingCase.from_case_body("c2", refused), GIVES_TWO_DAYS, SPC_2016)


def test_art10_2021_two_working_days_skip_the_weekend_and_end_at_beijing_midnight():
    friday = datetime(2026, 3, 6, 16, tzinfo=BJ)
    shown = window(friday, GIVES_TWO_DAYS, shipped_calendar())
    assert shown.closes_at == datetime(2026, 3, 11, tzinfo=BJ)  # Monday and Tuesday; ends with Tuesday
    assert (shown.working_days, shown.calendar_provisional) == (2, False)


def test_art10_2021_the_window_skips_the_national_day_holiday():
    # 2026-09-30 (Wednesday): 1-7 October are holidays, 10 October (Saturday) is a make-up working day
    shown = window(datetime(2026, 9, 30, 10, tzinfo=BJ), GIVES_TWO_DAYS, shipped_calendar())
    assert shown.closes_at == datetime(2026, 10, 10, tzinfo=BJ)  # 8 and 9 October

"""The calendar routing counts the parties' window on (2021 Art 10): the shape a year travels in from
mediation's table to routing's copy, and the window it moves when the State Council's notice arrives."""

from __future__ import annotations

import json
from datetime import date, datetime
from types import SimpleNamespace

from services.mediation.domain.holiday_year import checked_arrangement
from services.routing.actions.calendar import CALENDAR_IN_FORCE
from services.routing.app import Runtime
from services.routing.domain.choice import window, window_data
from shared.clock import BEIJING, end_of_beijing_day
from shared.holidays import arrangement_fields, arrangement_from, shipped_calendar
from tests.unit.routing.test_routing_joint_choice import GIVES_TWO_DAYS
from tests.unit.shared.test_holidays import NOTICE_2027_HOLIDAYS, NOTICE_2027_MAKE_UP


def notice_2027(version: int):
    return checked_arrangement(2027, NOTICE_2027_HOLIDAYS, NOTICE_2027_MAKE_UP, notice="国办发明电〔2026〕(test)",
                               version=version)


def test_a_year_travels_as_json_and_arrives_as_it_left():
    arrangement = notice_2027(version=2)
    travelled = json.loads(json.dumps(arrangement_fields(arrangement)))
    assert travelled["holidays"] == sorted(travelled["holidays"]) and travelled["version"] == 2
    assert arrangement_from(travelled) == arrangement


def test_art10_2021_a_window_over_the_2027_spring_festival_moves_with_the_notice():
    # Thursday 4 February 2027: the statutory holidays alone give 5 and 8 February off (除夕, 初三),
    # so the two working days are 9 and 10 February; the notice gives 5-11 February off: 12 and 15
    opened = datetime(2027, 2, 4, 10, tzinfo=BEIJING)
    provisional = window(opened, GIVES_TWO_DAYS, shipped_calendar())
    loaded = window(opened, GIVES_TWO_DAYS, shipped_calendar().with_year(notice_2027(version=2)))
    assert (provisional.closes_at, provisional.calendar_provisional) == (end_of_beijing_day(date(2027, 2, 10)), True)
    assert (loaded.closes_at, loaded.calendar_provisional) == (end_of_beijing_day(date(2027, 2, 15)), False)
    assert window_data(loaded, policy_pack="spc-2016", ruleset_version=3) == {
        "working_days": 2, "closes_at": "2027-02-16T00:00:00+08:00", "calendar_provisional": False,
        "policy_pack": "spc-2016", "ruleset_version": 3}


def test_a_calendar_committed_late_does_not_take_back_a_newer_version():
    newer = shipped_calendar().with_year(notice_2027(version=3))
    process = SimpleNamespace(calendar=newer)
    Runtime.calendar_committed(process, {CALENDAR_IN_FORCE: shipped_calendar().with_year(notice_2027(version=2))})
    assert process.calendar.arrangement(2027).version == 3
    Runtime.calendar_committed(process, {})
    assert process.calendar == newer

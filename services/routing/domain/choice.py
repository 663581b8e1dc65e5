"""The parties' joint choice (2021 Art 10): a ruleset may give the parties some working days
(2 in the rules) to choose a partner from the roster, and at that partner a mediator, before the
rules designate one. Pure: when a window opens, and when it closes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.routing.domain.case import RoutingCase
from services.routing.domain.policy import PolicyPack, mode_for_stage
from services.routing.domain.ruleset import Ruleset
from services.routing.domain.vocabulary import Stage
from shared.clock import end_of_beijing_day
from shared.holidays import HolidayCalendar


@dataclass(frozen=True)
class ChoiceWindow:
    working_days: int
    closes_at: datetime  # exclusive: the end of the last working day, Beijing time
    calendar_provisional: bool  # the window reached a year only known by its fixed holidays


def opens_window(case: RoutingCase, ruleset: Ruleset, pack: PolicyPack) -> bool:
    """Whether the parties get a window to choose: the ruleset gives one, they have not chosen in the
    filing already, and the case can be mediated at all (a mode the pack refuses or a party's refusal
    sends it back to the court at once; a party who went to a partner directly has chosen)."""
    if ruleset.joint_choice is None or case.stage is Stage.DIRECT or case.preferred_partner_id:
        return False
    mode = mode_for_stage(case.stage)
    if not pack.allows(mode):
        return False
    return not (mode in pack.consent_required and case.refusing_parties())


def window(opened_at: datetime, ruleset: Ruleset, calendar: HolidayCalendar) -> ChoiceWindow:
    """The window that opens at `opened_at`: until the end of its n-th working day after that date."""
    assert ruleset.joint_choice is not None
    days = ruleset.joint_choice.working_days
    last = calendar.add_working_days(opened_at, days)
    return ChoiceWindow(working_days=days, closes_at=end_of_beijing_day(last.day),
                        calendar_provisional=last.provisional)


def window_data(window: ChoiceWindow, *, policy_pack: str, ruleset_version: int) -> dict:
    """What `case.choice_window_opened` says of the window (the clerk's timeline, webhooks)."""
    return {"working_days": window.working_days, "closes_at": window.closes_at.isoformat(),
            "calendar_provisional": window.calendar_provisional, "policy_pack": policy_pack,
            "ruleset_version": ruleset_version}

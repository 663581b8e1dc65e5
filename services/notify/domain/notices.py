"""Notices to the parties: which ones exist, who receives them, and their Chinese text.

Recipients' addresses and phone numbers are personal data: they are kept out of `repr()` so that
logging a Recipient (or a structure holding one) never prints them.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from shared import labels_zh
from shared.clock import BEIJING

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates"
# Notices speak Beijing time (shared/clock.py, the one zone of the platform).
CHINA_TIME = BEIJING

# the words come from the one table the web client and the exports use too
MODE_NAMES = labels_zh.MODES
CATEGORY_NAMES = labels_zh.CATEGORIES
NEXT_STEP_AFTER_FAILURE = {
    "delegation": "纠纷将移送法院登记立案，由法院依法审理。",
    "entrustment": "案件将由法院恢复审理。",
    "invitation": "案件将由法院继续审理。",
    "self": "您可以依法向人民法院提起诉讼。",
}


class NoticeKind(enum.StrEnum):
    CASE_ROUTED = "case_routed"
    SESSION_SCHEDULED = "session_scheduled"
    DEADLINE_NEAR = "deadline_near"
    OUTCOME_SETTLED = "outcome_settled"
    OUTCOME_FAILED = "outcome_failed"
    OUTCOME_WITHDRAWN = "outcome_withdrawn"
    OUTCOME_EXPIRED = "outcome_expired"
    # the 30 days to apply for judicial confirmation (民事诉讼法 Art 205) are closing
    CONFIRMATION_CLOSING = "confirmation_closing"


EVENT_NOTICES = {
    "case.routed": NoticeKind.CASE_ROUTED,
    "mediation.session_scheduled": NoticeKind.SESSION_SCHEDULED,
    "mediation.settled": NoticeKind.OUTCOME_SETTLED,
    "mediation.failed": NoticeKind.OUTCOME_FAILED,
    "mediation.withdrawn": NoticeKind.OUTCOME_WITHDRAWN,
    "mediation.expired": NoticeKind.OUTCOME_EXPIRED,
}
# Short parameter sets for SMS provider templates, which are pre-approved text with placeholders.
SMS_PARAMS = {
    NoticeKind.CASE_ROUTED: ("case_number", "partner_name", "period_days"),
    NoticeKind.SESSION_SCHEDULED: ("case_number", "scheduled_at", "partner_name"),
    NoticeKind.DEADLINE_NEAR: ("case_number", "deadline", "days_left"),
    NoticeKind.OUTCOME_SETTLED: ("case_number", "partner_name"),
    NoticeKind.OUTCOME_FAILED: ("case_number", "partner_name"),
    NoticeKind.OUTCOME_WITHDRAWN: ("case_number", "partner_name"),
    NoticeKind.OUTCOME_EXPIRED: ("case_number", "partner_name"),
    NoticeKind.CONFIRMATION_CLOSING: ("case_number", "applies_until", "days_left"),
}


@dataclass(frozen=True)
class Recipient:
    party_id: str | None
    name: str
    email: str | None = field(default=None, repr=False)
    phone: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class Notice:
    kind: NoticeKind
    subject: str
    body: str


def render_notice(kind: NoticeKind | str, context: Mapping[str, Any]) -> tuple[str, str]:
    """(subject, body) of the notice; a missing context value is an error, never a blank."""
    template = _environment().get_template(f"{NoticeKind(kind).value}.txt.j2")
    rendered = {
        name: "".join(block(template.new_context(dict(context)))).strip()
        for name, block in template.blocks.items()
    }
    return rendered["subject"], rendered["body"] + "\n"


def sms_message(kind: NoticeKind | str, context: Mapping[str, Any]) -> tuple[str, dict[str, str]]:
    """(provider template code, its parameters) for the SMS channel."""
    notice = NoticeKind(kind)
    params = {key: _sms_value(context[key]) for key in SMS_PARAMS[notice] if key in context}
    return notice.value, params


def cn_date(value: date | datetime) -> str:
    if isinstance(value, datetime):
        value = _china(value).date()
    return f"{value.year}年{value.month}月{value.day}日"


def cn_datetime(value: datetime) -> str:
    local = _china(value)
    return f"{cn_date(local)} {local:%H:%M}"


def mode_name(mode: str) -> str:
    return MODE_NAMES.get(mode, "调解")


def category_name(category: str) -> str:
    return CATEGORY_NAMES.get(category, category)


def court_next_step(mode: str) -> str:
    return NEXT_STEP_AFTER_FAILURE.get(mode, "纠纷将回到法院依法处理。")


@lru_cache(maxsize=1)
def _environment() -> Environment:
    # Plain text notices: HTML escaping would corrupt names such as "A&B公司".
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=False,
        undefined=StrictUndefined,
        keep_trailing_newline=False,
    )
    env.filters.update(
        cn_date=cn_date, cn_datetime=cn_datetime, mode_name=mode_name,
        category_name=category_name, court_next_step=court_next_step,
    )
    return env


def _china(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("notice times must be timezone-aware")
    return value.astimezone(CHINA_TIME)


def _sms_value(value: Any) -> str:
    if isinstance(value, datetime):
        return cn_datetime(value)
    if isinstance(value, date):
        return cn_date(value)
    return str(value)

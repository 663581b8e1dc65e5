"""Which notices an event calls for, addressed to which party by which channel, with their text.

Rendered when the event arrives (inside the consumer, no I/O), so the sender only has to send. A
notice whose text cannot be rendered (an event lacking a value the template needs) is reported as
such instead of failing the whole event, which also carries webhooks and hand-offs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from jinja2 import TemplateError

from services.notify.domain.notices import CHINA_TIME, NoticeKind, Recipient, render_notice, sms_message

CHANNELS = ("email", "sms")
# Parties hear of a nearing deadline this long before it, in time to agree on an extension.
DEADLINE_NOTICE_BEFORE = timedelta(days=3)
# An event naming the (new) deadline plans the reminder again; a pause (appraisal, 2021 Art 26)
# stops the clock, so its reminder is void until `mediation.resumed` names the moved deadline.
DEADLINE_EVENTS = ("mediation.accepted", "mediation.extended", "mediation.resumed", "mediation.calendar_recomputed")
PAUSE_EVENTS = ("mediation.paused",)
# The parties hear this long before their 30 days to apply for judicial confirmation close
# (民事诉讼法 Art 205); the window comes with `mediation.settled` (`judicial_confirmation_due_at`).
CONFIRMATION_NOTICE_BEFORE = timedelta(days=5)
# Once a mediation has ended, reminders of its deadline are void.
ENDING_EVENTS = ("mediation.settled", "mediation.failed", "mediation.withdrawn", "mediation.expired",
                 "case.withdrawn", "case.unroutable")


@dataclass(frozen=True)
class PlannedNotice:
    party_id: str
    kind: NoticeKind
    channel: str
    subject: str
    body: str
    sms_template: str
    sms_params: dict[str, str] = field(default_factory=dict)
    error: str | None = None


def notice_context(kind: NoticeKind, facts: Mapping[str, Any], data: Mapping[str, Any]) -> dict[str, Any]:
    """The template values: the case's facts, overridden by what the event itself says."""
    context: dict[str, Any] = {
        "case_number": facts.get("case_number") or facts.get("court_case_number") or str(facts.get("case_id", ""))[:8],
        "category": facts.get("category") or "other",
        "mode": data.get("mode") or facts.get("mode") or "",
        "partner_name": data.get("partner_name") or facts.get("partner_name") or "调解组织",
        "period_days": data.get("period_days") or facts.get("period_days"),
    }
    if kind is NoticeKind.SESSION_SCHEDULED:
        context["scheduled_at"] = parse_time(data.get("scheduled_at"))
        context["online"] = bool(data.get("online"))
        if data.get("location"):
            context["location"] = data["location"]
        if data.get("mediator_name"):
            context["mediator_name"] = data["mediator_name"]
    if kind is NoticeKind.DEADLINE_NEAR:
        context["deadline"] = last_moment(parse_time(data.get("deadline")))
        context["days_left"] = DEADLINE_NOTICE_BEFORE.days
    if kind is NoticeKind.CONFIRMATION_CLOSING:
        context["applies_until"] = last_moment(parse_time(data.get("judicial_confirmation_due_at")))
        context["days_left"] = CONFIRMATION_NOTICE_BEFORE.days
    return {k: v for k, v in context.items() if v is not None}


def last_moment(end: datetime | None) -> datetime | None:
    """An exclusive end at midnight is said as the last minute of the day before: a period ending
    at 2027-01-05T00:00+08:00 runs "to 4 January", not to the 5th."""
    if end is None:
        return None
    local = end.astimezone(CHINA_TIME)
    return local - timedelta(minutes=1) if local.time() == time(0, 0) else local


def confirmation_notice_due(data: Mapping[str, Any]) -> datetime | None:
    """When to remind the parties that their window to apply for judicial confirmation closes."""
    closes = parse_time(data.get("judicial_confirmation_due_at"))
    return None if closes is None else closes - CONFIRMATION_NOTICE_BEFORE


def deadline_notice_due(data: Mapping[str, Any]) -> datetime | None:
    """When to remind the parties of the deadline an event sets, or None if it names none."""
    deadline = parse_time(data.get("deadline"))
    return None if deadline is None else deadline - DEADLINE_NOTICE_BEFORE


def plan_notices(kind: NoticeKind, context: Mapping[str, Any], recipients: Iterable[Recipient]) -> list[PlannedNotice]:
    planned = []
    for recipient in recipients:
        if recipient.party_id is None:
            continue
        personal = {**context, "recipient_name": recipient.name or "当事人"}
        try:
            subject, body = render_notice(kind, personal)
            template, params = sms_message(kind, personal)
            error = None
        except (TemplateError, KeyError, ValueError) as exc:
            subject, body, template, params = "", "", kind.value, {}
            error = f"notice could not be rendered: {type(exc).__name__}"
        for channel, address in (("email", recipient.email), ("sms", recipient.phone)):
            if address:
                planned.append(PlannedNotice(recipient.party_id, kind, channel, subject, body, template,
                                             params, error))
    return planned


def parse_time(value: Any) -> datetime | None:
    """An event's time or date as an aware datetime; a bare date means the end of that day in China."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=CHINA_TIME)
    if isinstance(value, date):
        return datetime.combine(value, time(23, 59), CHINA_TIME)
    text = str(value)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if len(text) == 10:
        return datetime.combine(parsed.date(), time(23, 59), CHINA_TIME)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=CHINA_TIME)

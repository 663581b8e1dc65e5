"""The statutory mediation period and its deadline.

- The period (30 / 15 / 7 days or the partner's own, as routing's decision says) runs in calendar
  days from the partner's acceptance (2021 Art 24). The day of acceptance is not counted (as for
  every period in civil procedure, 民事诉讼法 Art 85), so the period ends at the end of the
  Beijing date `accepted + days`; and when that last day is a rest day (a weekend or public
  holiday not worked), it ends at the end of the next working day (Art 85: 以法定休假日结束的次日
  为期间届满的日期), on the calendar the service holds. That rule is the policy pack's
  (`PERIOD_ENDS_OFF_REST_DAYS`); both packs apply it, to the period and to its extensions.
- Time spent on an appraisal (鉴定评估) does not count (2021 Art 26): every pause moves the
  deadline by its exact length; while a pause is open the deadline keeps moving with `now`.
- Extensions add calendar days, only with every party's consent (2016 Art 27) and within the
  policy pack's limit, as the routing decision carried it (`spc-2016` any number of any length;
  `spc-2025` one of at most 30 days).
  One asked for after the period ran out is refused: the period ended "without extension"
  (2021 Art 25) and the case is the sweeper's.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from types import MappingProxyType

from services.mediation.domain.calendar import HolidayCalendar, end_of_day, local_date, or_shipped
from shared.holidays import CalendarInstant


class InvalidPause(ValueError):
    pass


@dataclass(frozen=True)
class Pause:
    paused_at: datetime
    resumed_at: datetime | None = None

    def length(self, now: datetime) -> timedelta:
        until = self.resumed_at if self.resumed_at is not None else max(now, self.paused_at)
        return until - self.paused_at


@dataclass(frozen=True)
class Deadline:
    accepted_at: datetime
    period_days: int
    pauses: tuple[Pause, ...] = ()
    extension_days: tuple[int, ...] = field(default=())
    # the holiday arrangement the period's end is moved on (民事诉讼法 Art 85); None: the shipped one
    calendar: HolidayCalendar | None = field(default=None, compare=False, repr=False)
    ends_off_rest_days: bool = True  # Art 85, as the policy pack says (PERIOD_ENDS_OFF_REST_DAYS)

    def __post_init__(self) -> None:
        if self.accepted_at.tzinfo is None:
            raise ValueError("accepted_at must be an aware datetime")
        if self.period_days < 1:
            raise ValueError("period_days must be positive")
        _check_pauses(self.accepted_at, self.pauses)

    @property
    def is_paused(self) -> bool:
        return bool(self.pauses) and self.pauses[-1].resumed_at is None

    def paused_for(self, now: datetime) -> timedelta:
        return sum((pause.length(now) for pause in self.pauses), timedelta())

    def due(self, now: datetime) -> CalendarInstant:
        """When the period runs out, as far as it is known at `now` (exclusive), and whether that
        rests on a provisional year of the calendar. The calendar days and the pauses give the
        nominal end; Art 85 then moves a last day that is a rest day to the next working day."""
        days = self.period_days + sum(self.extension_days)
        nominal = end_of_day(local_date(self.accepted_at) + timedelta(days=days)) + self.paused_for(now)
        if not self.ends_off_rest_days:
            return CalendarInstant(at=nominal, provisional=False)
        return or_shipped(self.calendar).period_due(nominal)

    def due_at(self, now: datetime) -> datetime:
        return self.due(now).at

    def pause(self, at: datetime) -> "Deadline":
        if self.is_paused:
            raise InvalidPause("already paused")
        if at >= self.due_at(at):
            # an ended period cannot be stopped; the case is the sweeper's
            raise InvalidPause("the period has already ended")
        return replace(self, pauses=self.pauses + (Pause(paused_at=at),))

    def resume(self, at: datetime) -> "Deadline":
        if not self.is_paused:
            raise InvalidPause("not paused")
        closed = replace(self.pauses[-1], resumed_at=at)
        return replace(self, pauses=self.pauses[:-1] + (closed,))

    def extended(self, days: int) -> "Deadline":
        return replace(self, extension_days=self.extension_days + (days,))


def _check_pauses(accepted_at: datetime, pauses: tuple[Pause, ...]) -> None:
    previous_end = accepted_at
    for index, pause in enumerate(pauses):
        if pause.paused_at < previous_end:
            raise InvalidPause(f"pause {index} starts before acceptance or the previous pause ended")
        if pause.resumed_at is None:
            if index != len(pauses) - 1:
                raise InvalidPause(f"pause {index} is open but is not the last one")
            continue
        if pause.resumed_at < pause.paused_at:
            raise InvalidPause(f"pause {index} resumes before it starts")
        previous_end = pause.resumed_at


def is_overdue(deadline: Deadline, now: datetime) -> bool:
    """A paused case is never overdue: its clock is stopped (2021 Art 26)."""
    return not deadline.is_paused and now >= deadline.due_at(now)


@dataclass(frozen=True)
class ExtensionLimit:
    """The policy pack's limit on extensions. The packs are routing's data: the limit arrives with the
    routing decision (case.routed `extension_rule`) and is kept on the mediation, never copied here."""

    max_extensions: int | None  # None: no limit
    max_days: int | None  # per extension; None: no limit

    @classmethod
    def from_rule(cls, rule: Mapping[str, int | None] | None) -> "ExtensionLimit | None":
        """The limit of a decision's `extension_rule`; None when the decision named none."""
        if not isinstance(rule, Mapping):
            return None
        return cls(max_extensions=rule.get("max_extensions"), max_days=rule.get("max_days"))


# 民事诉讼法 Art 85 governs every period of civil procedure, so both packs end a period that falls
# on a rest day on the next working day; a pack is where a different rule would be said.
PERIOD_ENDS_OFF_REST_DAYS: Mapping[str, bool] = MappingProxyType({"spc-2016": True, "spc-2025": True})


def ends_off_rest_days(policy_pack: str | None) -> bool:
    """The pack's Art 85 rule; an unknown pack still follows the statute."""
    return PERIOD_ENDS_OFF_REST_DAYS.get(policy_pack or "", True)


class RefusalReason(StrEnum):
    NOT_POSITIVE = "not_positive"
    MISSING_CONSENT = "missing_consent"
    CONSENT_FROM_NON_PARTY = "consent_from_non_party"
    TOO_MANY_EXTENSIONS = "too_many_extensions"
    TOO_LONG = "too_long"
    PERIOD_ENDED = "period_ended"
    UNKNOWN_POLICY_PACK = "unknown_policy_pack"


class ExtensionRefused(Exception):
    def __init__(self, reason: RefusalReason, detail: str, party_ids: tuple[str, ...] = ()) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail
        self.party_ids = party_ids  # the parties concerned (missing or unknown consents)


@dataclass(frozen=True)
class ExtensionRequest:
    days: int
    consenting_party_ids: frozenset[str]


def grant_extension(
    deadline: Deadline,
    request: ExtensionRequest,
    party_ids: Iterable[str],
    limit: ExtensionLimit | None,
    now: datetime,
) -> Deadline:
    """The deadline extended by `request` within the pack's `limit`, or ExtensionRefused saying why not."""
    if limit is None:
        raise ExtensionRefused(RefusalReason.UNKNOWN_POLICY_PACK,
                               "the routing decision named no extension rule for this case's policy pack")
    _check_days(request.days, limit)
    _check_consents(request.consenting_party_ids, frozenset(party_ids))
    _check_count(len(deadline.extension_days), limit)
    if is_overdue(deadline, now):
        raise ExtensionRefused(RefusalReason.PERIOD_ENDED, "the mediation period has already ended")
    return deadline.extended(request.days)


def _check_days(days: int, limit: ExtensionLimit) -> None:
    if days < 1:
        raise ExtensionRefused(RefusalReason.NOT_POSITIVE, "an extension is at least one day")
    if limit.max_days is not None and days > limit.max_days:
        raise ExtensionRefused(
            RefusalReason.TOO_LONG, f"an extension may be at most {limit.max_days} days"
        )


def _check_consents(consenting: frozenset[str], parties: frozenset[str]) -> None:
    strangers = consenting - parties
    if strangers:
        raise ExtensionRefused(
            RefusalReason.CONSENT_FROM_NON_PARTY,
            "consent recorded for someone who is not a party",
            tuple(sorted(strangers)),
        )
    missing = parties - consenting
    if missing or not parties:
        raise ExtensionRefused(
            RefusalReason.MISSING_CONSENT,
            "every party must consent to an extension (2016 Art 27)",
            tuple(sorted(missing)),
        )


def _check_count(granted: int, limit: ExtensionLimit) -> None:
    if limit.max_extensions is not None and granted >= limit.max_extensions:
        raise ExtensionRefused(
            RefusalReason.TOO_MANY_EXTENSIONS,
            f"at most {limit.max_extensions} extension(s) under this policy pack",
        )

"""The figures of `GET /v1/stats`, computed from case records.

Definitions (documented in the API as well):
- `received`, `routed`, `accepted`: cases whose `received_at` / `routed_at` / `accepted_at` falls
  in the window [from, to).
- `settled`, `failed`, `withdrawn`, `expired`: cases whose outcome was recorded (`outcome_at`) in
  the window, by outcome.
- `settlement_rate` = settled / (settled + failed + withdrawn + expired), over the outcomes in the
  window; every mediation that ended counts in the denominator, because a withdrawal or an expiry is
  as much a dispute the partner did not settle as a failure. `None` when nothing ended.
- `median_days_to_outcome`: the median, over the outcomes in the window, of the days (fractional)
  from `received_at` to `outcome_at`: the wait as the parties and the court experience it, routing
  and the offer included. `None` when nothing ended.
- `open_now`: cases accepted by `now` and without an outcome by `now` (在调), regardless of the
  window, because it is a snapshot. `overdue_now`: those of them whose deadline is at or before
  `now` (the sweeper has not yet expired them); a record without a deadline (paused) is not overdue.
Group keys are the case's latest partner, its category, mode or district; a case without a partner
yet groups under `None`.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from statistics import median

OUTCOMES = ("settled", "failed", "withdrawn", "expired")
_SECONDS_PER_DAY = 86_400


class GroupBy(StrEnum):
    PARTNER = "partner"
    CATEGORY = "category"
    MODE = "mode"
    DISTRICT = "district"


@dataclass(frozen=True)
class CaseRecord:
    case_id: str
    received_at: datetime
    category: str
    mode: str
    district: str
    partner_id: str | None = None
    routed_at: datetime | None = None
    accepted_at: datetime | None = None
    outcome: str | None = None  # settled | failed | withdrawn | expired
    outcome_at: datetime | None = None
    deadline: datetime | None = None  # due_at as last computed; None while paused

    def __post_init__(self) -> None:
        if self.outcome is not None and self.outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {self.outcome!r}")
        if (self.outcome is None) != (self.outcome_at is None):
            raise ValueError("outcome and outcome_at go together")


@dataclass(frozen=True)
class Window:
    start: datetime  # inclusive
    end: datetime  # exclusive

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("window bounds must be aware datetimes")
        if self.start >= self.end:
            raise ValueError("the window's start must be before its end")

    def holds(self, moment: datetime | None) -> bool:
        return moment is not None and self.start <= moment < self.end


@dataclass(frozen=True)
class StatsRow:
    key: str | None
    received: int
    routed: int
    accepted: int
    settled: int
    failed: int
    withdrawn: int
    expired: int
    settlement_rate: float | None
    median_days_to_outcome: float | None
    open_now: int
    overdue_now: int


@dataclass(frozen=True)
class StatsReport:
    window: Window
    group_by: GroupBy
    groups: tuple[StatsRow, ...]  # sorted by key, None last
    total: StatsRow


_KEY: dict[GroupBy, Callable[[CaseRecord], str | None]] = {
    GroupBy.PARTNER: lambda record: record.partner_id,
    GroupBy.CATEGORY: lambda record: record.category,
    GroupBy.MODE: lambda record: record.mode,
    GroupBy.DISTRICT: lambda record: record.district,
}


def compute_stats(
    records: Iterable[CaseRecord], window: Window, group_by: GroupBy, now: datetime
) -> StatsReport:
    records = tuple(records)
    relevant = tuple(r for r in records if _counts_anywhere(r, window, now))
    buckets: dict[str | None, list[CaseRecord]] = {}
    for record in relevant:
        buckets.setdefault(_KEY[group_by](record), []).append(record)
    keys = sorted(buckets, key=lambda key: (key is None, key or ""))
    groups = tuple(_row(key, buckets[key], window, now) for key in keys)
    return StatsReport(window=window, group_by=group_by, groups=groups, total=_row(None, relevant, window, now))


def _counts_anywhere(record: CaseRecord, window: Window, now: datetime) -> bool:
    stamps = (record.received_at, record.routed_at, record.accepted_at, record.outcome_at)
    return any(window.holds(stamp) for stamp in stamps) or _is_open(record, now)


def _is_open(record: CaseRecord, now: datetime) -> bool:
    accepted = record.accepted_at is not None and record.accepted_at <= now
    ended = record.outcome_at is not None and record.outcome_at <= now
    return accepted and not ended


def _is_overdue(record: CaseRecord, now: datetime) -> bool:
    return _is_open(record, now) and record.deadline is not None and record.deadline <= now


def _row(key: str | None, records: Iterable[CaseRecord], window: Window, now: datetime) -> StatsRow:
    records = tuple(records)
    ended = tuple(r for r in records if window.holds(r.outcome_at))
    by_outcome = {outcome: sum(r.outcome == outcome for r in ended) for outcome in OUTCOMES}
    return StatsRow(
        key=key,
        received=sum(window.holds(r.received_at) for r in records),
        routed=sum(window.holds(r.routed_at) for r in records),
        accepted=sum(window.holds(r.accepted_at) for r in records),
        settled=by_outcome["settled"],
        failed=by_outcome["failed"],
        withdrawn=by_outcome["withdrawn"],
        expired=by_outcome["expired"],
        settlement_rate=by_outcome["settled"] / len(ended) if ended else None,
        median_days_to_outcome=_median_days(ended),
        open_now=sum(_is_open(r, now) for r in records),
        overdue_now=sum(_is_overdue(r, now) for r in records),
    )


def _median_days(ended: tuple[CaseRecord, ...]) -> float | None:
    if not ended:
        return None
    return median((r.outcome_at - r.received_at).total_seconds() / _SECONDS_PER_DAY for r in ended)  # type: ignore[operator]

"""The figures of `GET /v1/stats`, computed from case records: what a justice bureau files.

Every figure counts facts whose time falls in the window [from, to): a case received, routed (the
first routing), found unroutable, returned to the court, accepted, ended; an offer declined or
lapsed (2021 Art 12: no answer within 3 working days is a decline). Definitions (the API documents
them too):
- `received`, `routed`, `accepted`: cases whose `received_at` / `routed_at` / `accepted_at` falls
  in the window.
- `unroutable`: cases routing found no partner for (case.unroutable), whether at once or after
  every eligible partner declined; `returned_to_court`: cases handed back for the court to proceed
  (hand-off `docket` or `resume_trial`): the unroutable ones with a court to return to, and the
  mediations that failed, expired or were refused.
- `declined`, `lapsed`: offers the partner declined, and offers it let lapse, per partner (2021
  Art 29 accounting: a partner's answers are its own, whoever took the case afterwards).
- `settled`, `failed`, `withdrawn`, `expired`: cases whose outcome was recorded (`outcome_at`) in
  the window. `withdrawn_before_acceptance`: those of the withdrawals made while the case was only
  offered to (or declined by) a partner; a withdrawal before any offer counts too.
- `settlement_rate` = settled / (settled + failed + withdrawn + expired) over the mediations that
  ended in the window **after the partner accepted them**: a withdrawal by the court before the
  partner accepted is not a mediation the partner failed to settle. `None` when none ended.
- `median_days_to_outcome`: the median, over the same endings, of the days (fractional) from
  `received_at` to `outcome_at`. `None` when none ended.
- `open_now`: cases accepted by `now` and without an outcome by `now` (在调), regardless of the
  window, because it is a snapshot; `overdue_now`: those of them whose deadline is at or before
  `now`. A record without a deadline (paused) is not overdue.
Group keys: the partner (each fact under the partner it belongs to: an answer under the partner
that gave it, everything else under the partner that holds the case; a case nobody holds, because
it was declined, found unroutable or withdrawn while declined, under `None`), the category, mode or
district of the case, or the month (Asia/Shanghai, `YYYY-MM`) in which the fact happened. By month
the snapshot figures have no month: groups carry `None`, the total carries them.
"""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from statistics import median

from shared.clock import beijing_date

OUTCOMES = ("settled", "failed", "withdrawn", "expired")
ANSWERS = ("declined", "lapsed")
# Hand-offs after which the court itself takes the case up again.
RETURNED_TO_COURT = frozenset({"docket", "resume_trial"})
_SECONDS_PER_DAY = 86_400


class GroupBy(StrEnum):
    PARTNER = "partner"
    CATEGORY = "category"
    MODE = "mode"
    DISTRICT = "district"
    MONTH = "month"


@dataclass(frozen=True)
class OfferAnswer:
    """A partner's no to an offer: `declined`, or `lapsed` (no answer in time, 2021 Art 12)."""

    partner_id: str
    kind: str
    at: datetime

    def __post_init__(self) -> None:
        if self.kind not in ANSWERS:
            raise ValueError(f"unknown answer {self.kind!r}")


@dataclass(frozen=True)
class CaseRecord:
    case_id: str
    received_at: datetime
    category: str
    mode: str
    district: str
    partner_id: str | None = None  # the partner holding the case now; None when nobody does
    routed_at: datetime | None = None
    accepted_at: datetime | None = None
    outcome: str | None = None  # settled | failed | withdrawn | expired
    outcome_at: datetime | None = None
    deadline: datetime | None = None  # due_at as last computed; None while paused
    unroutable_at: datetime | None = None
    returned_to_court_at: datetime | None = None
    answers: tuple[OfferAnswer, ...] = field(default=())

    def __post_init__(self) -> None:
        if self.outcome is not None and self.outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {self.outcome!r}")
        if (self.outcome is None) != (self.outcome_at is None):
            raise ValueError("outcome and outcome_at go together")

    @property
    def ended_after_acceptance(self) -> bool:
        return self.outcome is not None and self.accepted_at is not None


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
    open_now: int | None
    overdue_now: int | None
    unroutable: int = 0
    returned_to_court: int = 0
    declined: int = 0
    lapsed: int = 0
    withdrawn_before_acceptance: int = 0


@dataclass(frozen=True)
class StatsReport:
    window: Window
    group_by: GroupBy
    groups: tuple[StatsRow, ...]  # sorted by key, None last
    total: StatsRow


@dataclass(frozen=True)
class _Fact:
    metric: str
    at: datetime
    partner_id: str | None
    record: CaseRecord


def _facts(record: CaseRecord) -> Iterator[_Fact]:
    holder = record.partner_id
    stamps = (("received", record.received_at), ("routed", record.routed_at), ("accepted", record.accepted_at),
              ("unroutable", record.unroutable_at), ("returned_to_court", record.returned_to_court_at))
    for metric, at in stamps:
        if at is not None:
            yield _Fact(metric, at, holder, record)
    if record.outcome is not None and record.outcome_at is not None:
        yield _Fact(record.outcome, record.outcome_at, holder, record)
        if record.outcome == "withdrawn" and record.accepted_at is None:
            yield _Fact("withdrawn_before_acceptance", record.outcome_at, holder, record)
    for answer in record.answers:
        yield _Fact(answer.kind, answer.at, answer.partner_id, record)


_ATTRIBUTE: dict[GroupBy, Callable[[_Fact], str | None]] = {
    GroupBy.PARTNER: lambda fact: fact.partner_id,
    GroupBy.CATEGORY: lambda fact: fact.record.category,
    GroupBy.MODE: lambda fact: fact.record.mode,
    GroupBy.DISTRICT: lambda fact: fact.record.district,
    GroupBy.MONTH: lambda fact: beijing_date(fact.at).strftime("%Y-%m"),
}
_RECORD_KEY: dict[GroupBy, Callable[[CaseRecord], str | None]] = {
    GroupBy.PARTNER: lambda record: record.partner_id,
    GroupBy.CATEGORY: lambda record: record.category,
    GroupBy.MODE: lambda record: record.mode,
    GroupBy.DISTRICT: lambda record: record.district,
}


def compute_stats(records: Iterable[CaseRecord], window: Window, group_by: GroupBy, now: datetime,
                  partner_id: str | None = None) -> StatsReport:
    """`partner_id`: a partner's own figures only (its answers, and the cases it holds)."""
    records = tuple(records)
    facts = [f for r in records for f in _facts(r)
             if window.holds(f.at) and (partner_id is None or f.partner_id == partner_id)]
    open_records = [r for r in records if _is_open(r, now) and (partner_id is None or r.partner_id == partner_id)]
    fact_buckets: dict[str | None, list[_Fact]] = {}
    for fact in facts:
        fact_buckets.setdefault(_ATTRIBUTE[group_by](fact), []).append(fact)
    open_buckets: dict[str | None, list[CaseRecord]] = {}
    if group_by is not GroupBy.MONTH:
        for record in open_records:
            open_buckets.setdefault(_RECORD_KEY[group_by](record), []).append(record)
    keys = sorted(set(fact_buckets) | set(open_buckets), key=lambda key: (key is None, key or ""))
    snapshot = group_by is not GroupBy.MONTH
    groups = tuple(_row(key, fact_buckets.get(key, []), open_buckets.get(key, []), now, snapshot) for key in keys)
    return StatsReport(window=window, group_by=group_by, groups=groups,
                       total=_row(None, facts, open_records, now, snapshot=True))


def _is_open(record: CaseRecord, now: datetime) -> bool:
    accepted = record.accepted_at is not None and record.accepted_at <= now
    ended = record.outcome_at is not None and record.outcome_at <= now
    return accepted and not ended


def _is_overdue(record: CaseRecord, now: datetime) -> bool:
    return _is_open(record, now) and record.deadline is not None and record.deadline <= now


def _row(key: str | None, facts: list[_Fact], open_records: list[CaseRecord], now: datetime,
         snapshot: bool) -> StatsRow:
    count = {metric: 0 for metric in ("received", "routed", "accepted", "unroutable", "returned_to_court",
                                      *OUTCOMES, *ANSWERS, "withdrawn_before_acceptance")}
    for fact in facts:
        count[fact.metric] += 1
    mediated = [f.record for f in facts if f.metric in OUTCOMES and f.record.ended_after_acceptance]
    settled_after_acceptance = sum(r.outcome == "settled" for r in mediated)
    return StatsRow(
        key=key,
        received=count["received"], routed=count["routed"], accepted=count["accepted"],
        settled=count["settled"], failed=count["failed"], withdrawn=count["withdrawn"], expired=count["expired"],
        settlement_rate=settled_after_acceptance / len(mediated) if mediated else None,
        median_days_to_outcome=_median_days(mediated),
        open_now=len(open_records) if snapshot else None,
        overdue_now=sum(_is_overdue(r, now) for r in open_records) if snapshot else None,
        unroutable=count["unroutable"], returned_to_court=count["returned_to_court"],
        declined=count["declined"], lapsed=count["lapsed"],
        withdrawn_before_acceptance=count["withdrawn_before_acceptance"],
    )


def _median_days(ended: list[CaseRecord]) -> float | None:
    if not ended:
        return None
    return median((r.outcome_at - r.received_at).total_seconds() / _SECONDS_PER_DAY for r in ended)  # type: ignore[operator]

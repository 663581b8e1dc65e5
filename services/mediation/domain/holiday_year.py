"""What ops may load as a year's holiday arrangement (the State Council's notice for that year).

Checked before anything is stored; each fault names its field, so the answer is one problem+json
with every fault at once:
- the year is one a mediation can reach (2000-2100), and every date lies in that year;
- a date is either a rest day or a make-up working day, never both, and never listed twice;
- every fixed statutory holiday of Art 2 of 全国年节及纪念日放假办法 is a rest day: a notice joins
  holidays to weekends, it never makes 1 January or 1 October a working day;
- a make-up working day (调休) is a Saturday or Sunday: a weekday is worked anyway."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from shared.holidays import EARLIEST_YEAR, LATEST_YEAR, YearArrangement, statutory_holidays

OPS_SOURCE = "ops"


@dataclass(frozen=True)
class Fault:
    field: str
    message: str


class InvalidArrangement(ValueError):
    def __init__(self, faults: list[Fault]) -> None:
        super().__init__("; ".join(f"{f.field}: {f.message}" for f in faults))
        self.faults = faults


def checked_arrangement(year: int, holidays: list[date], make_up_working_days: list[date], *,
                        notice: str | None, version: int) -> YearArrangement:
    """The arrangement to store as `version`, or InvalidArrangement listing every fault."""
    if not EARLIEST_YEAR <= year <= LATEST_YEAR:
        raise InvalidArrangement([Fault("year", f"must be between {EARLIEST_YEAR} and {LATEST_YEAR}")])
    faults = _in_year("holidays", holidays, year) + _in_year("make_up_working_days", make_up_working_days, year)
    faults += _repeated("holidays", holidays) + _repeated("make_up_working_days", make_up_working_days)
    rest = set(holidays)
    for index, day in enumerate(make_up_working_days):
        if day in rest:
            faults.append(Fault(f"make_up_working_days[{index}]", f"{day} is also listed as a holiday"))
        elif day.weekday() < 5:
            faults.append(Fault(f"make_up_working_days[{index}]",
                                f"{day} is a weekday; a make-up working day (调休) is a Saturday or Sunday"))
    if not faults:
        missing = [f"{day} {name}" for day, name in statutory_holidays(year).items() if day not in rest]
        if missing:
            faults.append(Fault("holidays", "every statutory holiday (全国年节及纪念日放假办法 Art 2) must be a "
                                            "rest day; missing: " + ", ".join(missing)))
    if faults:
        raise InvalidArrangement(faults)
    return YearArrangement(year=year, holidays=frozenset(holidays),
                           make_up_working_days=frozenset(make_up_working_days), source=OPS_SOURCE,
                           provisional=False, version=version, notice=notice)


def _in_year(name: str, days: list[date], year: int) -> list[Fault]:
    return [Fault(f"{name}[{i}]", f"{day} is not in {year}") for i, day in enumerate(days) if day.year != year]


def _repeated(name: str, days: list[date]) -> list[Fault]:
    seen: set[date] = set()
    faults = []
    for index, day in enumerate(days):
        if day in seen:
            faults.append(Fault(f"{name}[{index}]", f"{day} is listed twice"))
        seen.add(day)
    return faults

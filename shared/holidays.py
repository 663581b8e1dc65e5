"""The one calendar: which Beijing dates are working days, and when a period ends.

- **The holiday arrangement is data, one year at a time** (`YearArrangement`): the rest days of the
  public holidays and the make-up working days (调休, weekend days that are worked), as the State
  Council's General Office publishes them each autumn (关于20XX年部分节假日安排的通知). Years the
  `chinese-calendar` package knows are shipped from it; ops load any other year through the API
  (mediation's `PUT /v1/calendar/years/{year}`), and the newest version of a year wins. Mediation's
  table is the record; each load travels as `calendar.year_loaded`, and routing keeps its own copy
  (`arrangement_fields` is the shape both tables and the event hold).
- **A year nobody has loaded** is computed on the fixed statutory holidays of Art 2 of
  全国年节及纪念日放假办法 (as amended from 2025-01-01) plus weekends, and everything counted on it is
  marked provisional: the State Council may still join holidays to weekends and name make-up days.
- **Working-day windows** (2021 online mediation rules Art 10, 12, 15): the n-th working day after
  the Beijing date of the opening instant; the opening day itself never counts.
- **Periods** (民事诉讼法 Art 85): the day a period begins is not counted; when its last day is a
  statutory rest day (法定休假日: a weekend or public holiday not worked), the period ends on the
  first day after the rest (以法定休假日结束的次日为期间届满的日期).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from types import MappingProxyType
from typing import Any

import chinese_calendar
from lunardate import LunarDate

from shared.clock import beijing_date, end_of_beijing_day

STATUTORY_SOURCE = "全国年节及纪念日放假办法 第二条 (fixed statutory holidays only)"
CHINESE_CALENDAR_SOURCE = f"chinese-calendar {getattr(chinese_calendar, '__version__', '1.11.0')}"
# A year beyond this range is not a date any mediation can reach; refusing it keeps bad input out.
# 2099 at most: lunardate knows the lunar new year only before 2100 (2100 answered 500, found by schemathesis).
EARLIEST_YEAR, LATEST_YEAR = 2000, 2099


@dataclass(frozen=True)
class YearArrangement:
    """One year's holiday arrangement: every rest day of its public holidays (weekend days inside
    a holiday included) and every make-up working day. `provisional`: only the fixed statutory
    holidays are known, not the State Council's notice."""

    year: int
    holidays: frozenset[date]
    make_up_working_days: frozenset[date]
    source: str
    provisional: bool
    version: int = 0  # 0: shipped with the code; 1, 2, ...: the table's versions
    notice: str | None = None  # the State Council notice it follows, e.g. 国办发明电〔2025〕7号

    def is_working(self, day: date) -> bool:
        if day in self.make_up_working_days:
            return True
        return day.weekday() < 5 and day not in self.holidays


# A year's arrangement as a table row's columns and an event's data hold it (mediation's holiday
# table, routing's copy of it, calendar.year_loaded): the dates as sorted ISO strings.
ARRANGEMENT_FIELDS = ("year", "version", "holidays", "make_up_working_days", "source", "notice", "provisional")


def arrangement_fields(arrangement: YearArrangement) -> dict[str, Any]:
    return {"year": arrangement.year, "version": arrangement.version,
            "holidays": sorted(d.isoformat() for d in arrangement.holidays),
            "make_up_working_days": sorted(d.isoformat() for d in arrangement.make_up_working_days),
            "source": arrangement.source, "notice": arrangement.notice, "provisional": arrangement.provisional}


def arrangement_from(fields: Mapping[str, Any]) -> YearArrangement:
    """The arrangement `arrangement_fields` wrote (an event's data)."""
    def days(name: str) -> frozenset[date]:
        return frozenset(date.fromisoformat(d) for d in fields[name])

    return YearArrangement(year=int(fields["year"]), version=int(fields["version"]), holidays=days("holidays"),
                           make_up_working_days=days("make_up_working_days"), source=fields["source"],
                           notice=fields.get("notice"), provisional=bool(fields["provisional"]))


def arrangement_of(row: Any) -> YearArrangement:
    """The arrangement of a table row whose columns are the ARRANGEMENT_FIELDS."""
    return arrangement_from({name: getattr(row, name) for name in ARRANGEMENT_FIELDS})


def statutory_holidays(year: int) -> dict[date, str]:
    """The fixed public holidays of Art 2 of 全国年节及纪念日放假办法 (as amended from 2025-01-01):
    元旦 1 January; 春节 农历除夕 to 正月初三 (4 days); 清明节 the day of the 清明 solar term;
    劳动节 1-2 May; 端午节 农历五月初五; 中秋节 农历八月十五; 国庆节 1-3 October."""
    new_year = LunarDate(year, 1, 1).to_solar_date()
    days = {date(year, 1, 1): "元旦", date(year, 5, 1): "劳动节", date(year, 5, 2): "劳动节",
            LunarDate(year, 5, 5).to_solar_date(): "端午节", LunarDate(year, 8, 15).to_solar_date(): "中秋节",
            date(year, 10, 1): "国庆节", date(year, 10, 2): "国庆节", date(year, 10, 3): "国庆节"}
    for offset in range(-1, 3):  # 除夕 is the day before 正月初一, whether the twelfth month has 29 or 30 days
        days[new_year + timedelta(days=offset)] = "春节"
    [(qingming, _)] = chinese_calendar.get_solar_terms(date(year, 4, 1), date(year, 4, 10))
    days[qingming] = "清明节"
    return dict(sorted(days.items()))


def statutory_arrangement(year: int) -> YearArrangement:
    """A year nobody published yet: its fixed statutory holidays, no make-up days, provisional."""
    return YearArrangement(year=year, holidays=frozenset(statutory_holidays(year)),
                           make_up_working_days=frozenset(), source=STATUTORY_SOURCE, provisional=True)


def _chinese_calendar_years() -> range:
    # the package's own range: it refuses any date outside the years its holiday table covers
    return range(min(d.year for d in chinese_calendar.holidays), max(d.year for d in chinese_calendar.holidays) + 1)


@lru_cache(maxsize=1)
def shipped_arrangements() -> tuple[YearArrangement, ...]:
    """What the code ships: every year `chinese-calendar` knows (each State Council notice it
    carries), then 2027 as its fixed statutory holidays only. The 2027 notice could not be
    confirmed when this was written (the package's last release, 1.11.0, stops at 2026), so 2027
    stays provisional until ops load the notice through the API."""
    known = _chinese_calendar_years()
    years = [YearArrangement(year=year, source=CHINESE_CALENDAR_SOURCE, provisional=False,
                             holidays=frozenset(d for d in chinese_calendar.holidays if d.year == year),
                             make_up_working_days=frozenset(d for d in chinese_calendar.workdays if d.year == year))
             for year in known]
    years += [statutory_arrangement(year) for year in range(known.stop, 2028)]
    return tuple(years)


@dataclass(frozen=True)
class DayKind:
    working: bool
    provisional: bool  # the day's year is known only by its fixed statutory holidays


@dataclass(frozen=True)
class CalendarDay:
    day: date
    provisional: bool  # some day looked at on the way was provisional


@dataclass(frozen=True)
class CalendarInstant:
    at: datetime
    provisional: bool


@dataclass(frozen=True)
class HolidayCalendar:
    """The arrangements in force, by year; any other year is its statutory arrangement."""

    years: Mapping[int, YearArrangement] = field(default_factory=lambda: MappingProxyType({}))

    @classmethod
    def of(cls, arrangements: Iterable[YearArrangement]) -> HolidayCalendar:
        """The newest version of each year wins; a shipped one (version 0) loses to any loaded one."""
        years: dict[int, YearArrangement] = {}
        for arrangement in arrangements:
            held = years.get(arrangement.year)
            if held is None or arrangement.version >= held.version:
                years[arrangement.year] = arrangement
        return cls(MappingProxyType(dict(sorted(years.items()))))

    def with_year(self, arrangement: YearArrangement) -> HolidayCalendar:
        return HolidayCalendar.of([*self.years.values(), arrangement])

    def arrangement(self, year: int) -> YearArrangement:
        held = self.years.get(year)
        return held if held is not None else _statutory(year)

    def day_kind(self, day: date) -> DayKind:
        arrangement = self.arrangement(day.year)
        return DayKind(working=arrangement.is_working(day), provisional=arrangement.provisional)

    def add_working_days(self, start: datetime | date, n: int) -> CalendarDay:
        """The n-th working day after the Beijing date of `start`; the start day never counts, so an
        offer made on day D is answered by the end of `add_working_days(D, 3).day` (2021 Art 12)
        whether or not D was itself a working day."""
        if n < 1:
            raise ValueError("n must be at least 1")
        day, provisional, remaining = beijing_date(start), False, n
        while remaining:
            day += timedelta(days=1)
            kind = self.day_kind(day)
            provisional = provisional or kind.provisional
            remaining -= kind.working
        return CalendarDay(day=day, provisional=provisional)

    def period_last_day(self, last_day: date) -> CalendarDay:
        """民事诉讼法 Art 85: a period whose last day is a rest day ends on the first day after the
        rest, i.e. the next working day; a last day that is a working day stays."""
        kind = self.day_kind(last_day)
        if kind.working:
            return CalendarDay(day=last_day, provisional=kind.provisional)
        following = self.add_working_days(last_day, 1)
        return CalendarDay(day=following.day, provisional=kind.provisional or following.provisional)

    def period_due(self, nominal_end: datetime) -> CalendarInstant:
        """Art 85 applied to a period that would end (exclusively) at `nominal_end`: if its last
        moment falls on a rest day, the period runs to the end of the next working day."""
        last_day = beijing_date(nominal_end - timedelta(microseconds=1))
        ended = self.period_last_day(last_day)
        if ended.day == last_day:
            return CalendarInstant(at=nominal_end, provisional=ended.provisional)
        return CalendarInstant(at=end_of_beijing_day(ended.day), provisional=ended.provisional)

    def period_of_days(self, start: datetime, days: int) -> CalendarInstant:
        """A period of `days` calendar days from `start` (the start day not counted), ending at the
        end of its last day, moved by Art 85 off a rest day; e.g. the 30 days to apply for judicial
        confirmation (民事诉讼法 Art 205)."""
        return self.period_due(end_of_beijing_day(beijing_date(start) + timedelta(days=days)))


@lru_cache(maxsize=64)
def _statutory(year: int) -> YearArrangement:
    return statutory_arrangement(year)


def shipped_calendar() -> HolidayCalendar:
    return HolidayCalendar.of(shipped_arrangements())


def calendar_over_shipped(loaded: Iterable[YearArrangement]) -> HolidayCalendar:
    """What the code ships overlaid by the years a table holds (every version: the newest wins)."""
    return HolidayCalendar.of([*shipped_arrangements(), *loaded])

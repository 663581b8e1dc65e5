"""Times as a person in Beijing writes them: `12月7日 周一 24:00前`, `剩3个工作日`, `已逾期2天`.

Pure: the caller passes `now`. Deadlines in this platform are exclusive instants (a window "closes
at" the midnight that starts the next day), which a person reads as "before 24:00" of the last day,
never as 00:00 of the day after. Working days are counted by the platform's own calendar
(`services.mediation.domain.calendar.add_working_days`, holidays and 调休 included), never here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import overload

from services.mediation.domain import calendar
from shared.clock import BEIJING, beijing_date
from shared.labels_zh import WEEKDAYS


def day_words(day: date, *, with_year: bool = False) -> str:
    year = f"{day.year}年" if with_year else ""
    return f"{year}{day.month}月{day.day}日 {WEEKDAYS[day.weekday()]}"


def moment_words(at: datetime | None, *, now: datetime | None = None) -> str:
    """`12月7日 周一 15:30`; the year is written only when it is not the current one."""
    if at is None:
        return "—"
    local = at.astimezone(BEIJING)
    with_year = now is not None and beijing_date(now).year != local.year
    return f"{day_words(local.date(), with_year=with_year)} {local:%H:%M}"


def last_day(closes_at: datetime) -> date:
    """The last Beijing day still inside a window that closes (exclusively) at `closes_at`."""
    local = closes_at.astimezone(BEIJING)
    if local.time() == datetime.min.time():
        return local.date() - timedelta(days=1)
    return local.date()


def deadline_words(closes_at: datetime | None, *, now: datetime | None = None) -> str:
    """`12月7日 周一 24:00前` for a window closing at midnight, else `12月7日 周一 15:30前`."""
    if closes_at is None:
        return "—"
    local = closes_at.astimezone(BEIJING)
    day = last_day(closes_at)
    with_year = now is not None and beijing_date(now).year != day.year
    clock = "24:00" if local.time() == datetime.min.time() else f"{local:%H:%M}"
    return f"{day_words(day, with_year=with_year)} {clock}前"


def working_days_left(now: datetime, closes_at: datetime, holidays=None) -> int:
    """Whole working days after today up to the window's last day (today's remainder not counted),
    on `holidays` (the service's holiday calendar; what the code ships when None)."""
    end = last_day(closes_at)
    today = beijing_date(now)
    count = 0
    while True:
        nxt = calendar.add_working_days(today, count + 1, holidays).day
        if nxt > end:
            return count
        count += 1


@dataclass(frozen=True)
class TimeLeft:
    words: str  # 剩3个工作日 / 今日24:00前截止 / 已逾期2天
    overdue: bool
    urgent: bool  # due today or tomorrow: shown first and marked
    days: int  # days left (negative once overdue), for sorting by urgency


@overload
def time_left(now: datetime, closes_at: datetime, *, working_days: bool, holidays=None) -> TimeLeft: ...
@overload
def time_left(now: datetime, closes_at: datetime | None, *, working_days: bool, holidays=None) -> TimeLeft | None: ...


def time_left(now: datetime, closes_at: datetime | None, *, working_days: bool, holidays=None) -> TimeLeft | None:
    """What is left of a window: working days for the 3-working-day windows (2021 Art 12, 15),
    calendar days for the mediation period (2021 Art 24)."""
    if closes_at is None:
        return None
    end, today = last_day(closes_at), beijing_date(now)
    if now >= closes_at:
        late = max((today - end).days, 1)
        return TimeLeft(f"已逾期{late}天", overdue=True, urgent=True, days=-late)
    if today == end:
        return TimeLeft("今日截止", overdue=False, urgent=True, days=0)
    calendar_days = (end - today).days
    if working_days:
        left = working_days_left(now, closes_at, holidays)
        words = f"剩{left}个工作日" if left else f"剩{calendar_days}天（其间无工作日）"
    else:
        words = f"剩{calendar_days}天"
    return TimeLeft(words, overdue=False, urgent=calendar_days <= 1, days=calendar_days)

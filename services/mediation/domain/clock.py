"""The one place the real clock is read; everything else is handed a Clock or a `now`."""

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """An aware datetime."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(timezone.utc)


class ManualClock:
    """A clock tests move by hand; it never moves by itself."""

    def __init__(self, start: datetime) -> None:
        _require_aware(start)
        self._now = start

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> datetime:
        if delta < timedelta(0):
            raise ValueError("time does not run backwards")
        self._now += delta
        return self._now

    def set(self, moment: datetime) -> None:
        _require_aware(moment)
        self._now = moment


@dataclass(frozen=True)
class FixedClock:
    """A clock stopped at one moment."""

    moment: datetime

    def __post_init__(self) -> None:
        _require_aware(self.moment)

    def now(self) -> datetime:
        return self.moment


def _require_aware(moment: datetime) -> None:
    if moment.tzinfo is None:
        raise ValueError("a clock tells aware time")

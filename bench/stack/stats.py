"""Percentiles the way the report states them: nearest rank over the samples, None without samples."""

from __future__ import annotations

import math
from collections.abc import Sequence


def percentile(values: Sequence[float], p: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def percentiles(values: Sequence[float], ps: Sequence[float] = (50, 95, 99)) -> list[float | None]:
    ordered = sorted(values)
    return [percentile(ordered, p) for p in ps]

"""The one waiting loop of the benchmark: readiness, a scenario's drain, the platform going quiet."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


async def poll_until(probe: Callable[[], Awaitable[T]], done: Callable[[T], bool], bound_s: float,
                     every_s: float = 1.0) -> tuple[float, T]:
    """Probe every `every_s` until `done(result)` or `bound_s` has passed: (seconds waited, last result).
    The caller decides whether running out of time is an error: for a drain it is a figure."""
    started = time.monotonic()
    while True:
        result = await probe()
        waited = time.monotonic() - started
        if done(result) or waited >= bound_s:
            return waited, result
        await asyncio.sleep(every_s)

"""A token bucket per caller (per bearer token, or per client address without one), so one runaway
client system cannot starve the others. Over the limit: 429 problem+json with Retry-After.

Per process: with N replicas a caller gets up to N times the rate, which is what a first line of
defence needs; a gateway can enforce a global quota in front.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections import OrderedDict
from dataclasses import dataclass

MAX_TRACKED_CALLERS = 10_000


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    def __init__(self, per_minute: int, burst: int, *, clock=time.monotonic) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self.clock = clock
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    @staticmethod
    def caller_key(authorization: str | None, client_host: str | None) -> str:
        if authorization:
            return "t:" + hashlib.sha256(authorization.encode()).hexdigest()[:32]
        return "a:" + (client_host or "unknown")

    def take(self, key: str) -> float:
        """0 if the request may proceed, else the seconds to wait before retrying."""
        now = self.clock()
        bucket = self._buckets.pop(key, None) or _Bucket(self.burst, now)
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
        bucket.updated = now
        self._buckets[key] = bucket
        if len(self._buckets) > MAX_TRACKED_CALLERS:
            self._buckets.popitem(last=False)
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return 0.0
        return (1 - bucket.tokens) / self.rate if self.rate > 0 else 60.0

    @staticmethod
    def retry_after_header(wait: float) -> str:
        return str(max(1, math.ceil(wait)))

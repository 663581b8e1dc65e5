"""Intake's own Prometheus metrics; labels are closed vocabularies (mode, category), never a case,
court clerk or party."""

from prometheus_client import Counter

CASES_RECEIVED = Counter("intake_cases_received_total", "Cases filed (replays of an Idempotency-Key not counted)",
                         ["mode", "category"])

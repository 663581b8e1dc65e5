"""Routing's own Prometheus metrics; labels are closed vocabularies, never a case or a partner."""

from prometheus_client import Counter, Histogram

DECISIONS = Counter("routing_decisions_total", "Routing decisions recorded, by outcome and mode",
                    ["outcome", "mode"])
DECISION_SECONDS = Histogram("routing_decision_duration_seconds",
                             "Time to decide one case (roster read, rules, capacity taken), by outcome",
                             ["outcome"], buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5))

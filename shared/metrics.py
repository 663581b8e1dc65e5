"""Prometheus metrics, named after Prometheus' naming guide; no case ids in labels."""

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest

HTTP_REQUESTS = Counter("http_requests_total", "HTTP requests handled",
                        ["service", "method", "route", "status"])
HTTP_DURATION = Histogram("http_request_duration_seconds", "HTTP request duration",
                          ["service", "method", "route"])
BUS_PUBLISHED = Counter("bus_messages_published_total", "Events published and confirmed", ["type"])
BUS_CONSUMED = Counter("bus_messages_consumed_total", "Events handled by consumers", ["queue", "outcome"])
BUS_BATCH_SIZE = Histogram("bus_batch_size", "Events handed to a consumer in one batch (one transaction)",
                           ["queue"], buckets=(1, 2, 5, 10, 20, 50, 100, 200, 500))
INBOX_DUPLICATES = Counter("inbox_duplicates_total", "Redelivered events skipped by idempotent consumers",
                           ["consumer"])
OUTBOX_PENDING = Gauge("outbox_pending_messages", "Outbox rows not yet confirmed by the bus", ["service"])
OUTBOX_PUBLISH_FAILURES = Counter("outbox_publish_failures_total", "Outbox publish attempts that failed",
                                  ["service"])
# For alerts (shared/messaging.py): `outbox_parked_messages > 0` (an event the bus can never take as it
# is waits for an operator's replay, GET /v1/ops/<service>/outbox/parked, and its case's later events
# wait behind it), `increase(outbox_parked_total[10m]) > 0`, and
# `time() - outbox_relay_last_advance_timestamp_seconds > 120` (a relay stuck or gone while rows wait).
OUTBOX_PARKED = Gauge("outbox_parked_messages", "Outbox rows parked, not yet replayed", ["service"])
OUTBOX_PARKED_TOTAL = Counter("outbox_parked_total", "Outbox rows parked because the bus can never take them",
                              ["service"])
OUTBOX_LAST_ADVANCE = Gauge("outbox_relay_last_advance_timestamp_seconds",
                            "When the outbox relay last published or parked a row or found none waiting",
                            ["service"])

# Backlog gauges, sampled from the database and the broker every few seconds (shared/backlog.py),
# so a scrape costs no query. Every process reports every queue of the topology as the broker sees
# it: a queue whose consuming service is gone entirely still shows, with no consumer.
OUTBOX_OLDEST_AGE = Gauge("outbox_oldest_pending_age_seconds",
                          "Age of the oldest outbox row not yet published (0 when none waits)", ["service"])
BUS_QUEUE_CONSUMERS = Gauge("bus_queue_consumers", "Consumers attached to each queue, as the broker counts them",
                            ["queue"])
BUS_QUEUE_MESSAGES = Gauge("bus_queue_messages",
                           "Messages waiting in each queue; `<queue>.dlq` holds the dead letters", ["queue"])
CALENDAR_COVERED_DAYS = Gauge(
    "courtmed_calendar_covered_until_days",
    "Days from today (Beijing) to the last day of the last year whose published holiday arrangement the "
    "calendar holds without a gap from this year (negative: this year itself is provisional)", ["service"])


def render() -> tuple[bytes, str]:
    return generate_latest(), CONTENT_TYPE_LATEST

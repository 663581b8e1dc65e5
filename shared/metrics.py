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


def render() -> tuple[bytes, str]:
    return generate_latest(), CONTENT_TYPE_LATEST

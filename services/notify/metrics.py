"""Notify's own Prometheus metrics (default registry, so /metrics shows them); no case ids in labels."""

from prometheus_client import Counter, Gauge

WEBHOOK_ATTEMPTS = Counter("notify_webhook_attempts_total", "Webhook delivery attempts", ["outcome"])
HANDOFF_ATTEMPTS = Counter("notify_handoff_attempts_total", "Hand-off attempts to the court system", ["outcome"])
NOTICES = Counter("notify_notices_total", "Notices to parties by channel and result", ["channel", "outcome"])
ENDPOINTS_DISABLED = Counter("notify_webhook_endpoints_disabled_total", "Endpoints switched off", ["reason"])

# Backlog (sampled, services/notify/backlog.py): what waits to go out, and for whom nothing goes out.
DELIVERIES_PENDING = Gauge("notify_deliveries_pending", "Webhook deliveries waiting for a (next) attempt")
DELIVERY_OLDEST_PENDING_AGE = Gauge("notify_delivery_oldest_pending_age_seconds",
                                    "Age of the oldest pending webhook delivery (0 when none waits)")
ENDPOINTS_DISABLED_NOW = Gauge("notify_disabled_webhook_endpoints", "Webhook endpoints disabled and not deleted")
HANDOFFS_WAITING = Gauge("notify_handoffs_waiting",
                         "Hand-offs not yet acknowledged by the court (state: pending = not yet accepted by "
                         "the court system, sent = accepted, no case number yet)", ["state"])
HANDOFF_OLDEST_UNACKNOWLEDGED_AGE = Gauge("notify_handoff_oldest_unacknowledged_age_seconds",
                                          "Age of the oldest hand-off the court has not acknowledged (0 when none)")

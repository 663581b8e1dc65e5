"""Notify's own Prometheus metrics (default registry, so /metrics shows them); no case ids in labels."""

from prometheus_client import Counter

WEBHOOK_ATTEMPTS = Counter("notify_webhook_attempts_total", "Webhook delivery attempts", ["outcome"])
HANDOFF_ATTEMPTS = Counter("notify_handoff_attempts_total", "Hand-off attempts to the court system", ["outcome"])
NOTICES = Counter("notify_notices_total", "Notices to parties by channel and result", ["channel", "outcome"])
ENDPOINTS_DISABLED = Counter("notify_webhook_endpoints_disabled_total", "Endpoints switched off", ["reason"])

"""The webhook sender: signs and posts due deliveries, records each attempt, schedules the next.

Time: `rt.clock` decides what is due and when to try again (tests move it); the webhook-timestamp
header is the wall clock, because the receiver checks it against its own.
"""

from __future__ import annotations

from datetime import datetime

from services.notify.channels.http_delivery import AttemptResult, post_json
from services.notify.channels.pinned import pinned_request
from services.notify.channels.safe_url import resolve_and_check
from services.notify.domain.retry import Verdict, gone_reason, next_attempt_at
from services.notify.domain.signing import sign, signing_secrets
from services.notify.domain.ssrf import UnsafeUrl
from services.notify.metrics import ENDPOINTS_DISABLED, WEBHOOK_ATTEMPTS
from services.notify.store import deliveries as store
from services.notify.store import endpoints as endpoint_store
from services.notify.store.queued import WEBHOOKS
from services.notify.workers.loop import PollingWorker, log
from shared.context import correlation_headers


class WebhookPass:
    """The deliveries of one pass and their endpoints' health, written in a handful of statements
    whatever the pass's size."""

    def __init__(self, deliveries: store.DeliveryRecords,
                 endpoints: dict[str, endpoint_store.EndpointHealth]) -> None:
        self.deliveries = deliveries
        self.endpoints = endpoints

    @classmethod
    async def lock(cls, session, claims: list[store.Claim]) -> WebhookPass:
        # Deliveries, then endpoints (FOR NO KEY UPDATE, store.endpoints: the consumer's new
        # deliveries hold KEY SHARE on their endpoint, and FOR UPDATE would wait on them, they on us).
        deliveries = await store.DeliveryRecords.lock(session, (c.delivery_id for c in claims))
        return cls(deliveries, await endpoint_store.lock_health(session, (c.endpoint_id for c in claims)))

    def switch_off(self, endpoint: endpoint_store.EndpointHealth, reason: str, now: datetime) -> None:
        endpoint_store.switch_off(endpoint, reason, now)
        self.deliveries.bury(endpoint.id, endpoint_store.dead_reason(reason), now)

    async def write(self, session) -> None:
        await self.deliveries.write(session)
        await endpoint_store.write_health(session, self.endpoints.values())


class WebhookWorker(PollingWorker):
    name = WEBHOOKS

    claim_due = staticmethod(store.claim_due)

    async def lock_rows(self, session, claims: list[store.Claim]) -> WebhookPass:
        return await WebhookPass.lock(session, claims)

    async def attempt(self, claim: store.Claim) -> AttemptResult:
        rt = self.rt
        try:
            # Again at every attempt: the name may point elsewhere than when it was registered.
            target = await resolve_and_check(claim.url, rt.settings.allow_private_webhooks, rt.resolver)
        except UnsafeUrl as exc:
            return AttemptResult(None, None, f"refused: {exc.reason}", "", 0)
        secrets = signing_secrets(claim.secret, claim.previous_secret, claim.rotated_at, rt.clock.now())
        headers = sign(secrets, claim.webhook_id, rt.wall_clock.now(), claim.body)
        pinned = pinned_request(target)
        return await post_json(rt.http, pinned.url, claim.body, {**headers, **pinned.headers, **correlation_headers()},
                               timeout=rt.settings.http_timeout_seconds, server_hostname=pinned.server_hostname)

    def record(self, records: WebhookPass, claim: store.Claim, result: AttemptResult) -> None:
        rt = self.rt
        now = rt.clock.now()
        delivery = records.deliveries.log_attempt(
            claim.delivery_id, attempt_no=claim.attempt_no, at=now, status_code=result.status_code,
            error=result.error, response_body=result.response_body, duration_ms=result.duration_ms)
        endpoint = records.endpoints[claim.endpoint_id]
        verdict = result.verdict
        WEBHOOK_ATTEMPTS.labels(outcome=verdict.value).inc()
        log.info("webhook attempt", delivery_id=claim.delivery_id, webhook_id=claim.webhook_id,
                 attempt=claim.attempt_no, status_code=result.status_code, verdict=verdict.value)
        if verdict is Verdict.SUCCESS:
            delivery.status, delivery.delivered_at, delivery.next_attempt_at = "succeeded", now, None
            endpoint_store.record_success(endpoint, now)
            return
        if delivery.status != "pending":
            return  # the endpoint was disabled or deleted during the attempt; the row says why
        if verdict is Verdict.DISABLE_ENDPOINT:
            delivery.status, delivery.next_attempt_at = "dead", None
            records.switch_off(endpoint, gone_reason(result.status_code or 410), now)
            ENDPOINTS_DISABLED.labels(reason="gone").inc()
            log.warning("webhook endpoint disabled: it answered 410", endpoint_id=endpoint.id)
            return
        delivery.round_failures = (delivery.round_failures or 0) + 1
        retry_at = next_attempt_at(delivery.round_failures, now, result.retry_after, rt.rng)
        if retry_at is None:
            delivery.status, delivery.next_attempt_at = "failed", None
            log.warning("webhook delivery failed for good", delivery_id=delivery.id, endpoint_id=endpoint.id)
        else:
            delivery.next_attempt_at = retry_at
        reason = endpoint_store.record_failure(endpoint, now)
        if reason:
            records.switch_off(endpoint, reason, now)
            ENDPOINTS_DISABLED.labels(reason="failing").inc()
            log.warning("webhook endpoint disabled: failing for days", endpoint_id=endpoint.id)

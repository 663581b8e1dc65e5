"""The hand-off sender: posts each hand-off to its court's system until the court acknowledges it.

The court answers with its own case number (2xx with `court_case_number`); a 2xx without one means
it took the hand-off but numbers later, so it is asked again on the retry schedule. The hand-off id
is stable, so the court deduplicates repeated posts. `handoff.sent` and `handoff.acknowledged` go out
through the outbox in the transaction that records the answer.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from services.notify.channels.http_delivery import AttemptResult, post_json
from services.notify.domain.retry import RETRY_SCHEDULE, next_attempt_at
from services.notify.metrics import HANDOFF_ATTEMPTS
from services.notify.store import handoffs as store
from services.notify.store.queued import HANDOFFS
from services.notify.workers.loop import PollingWorker, log
from shared.context import correlation_headers
from shared.events import Envelope


class HandoffPass:
    """The hand-offs of one pass and the events their answers raise, written together at its end."""

    def __init__(self, handoffs: store.HandoffRecords, outbox) -> None:
        self.handoffs = handoffs
        self.outbox = outbox
        self.events: list[Envelope] = []

    async def write(self, session) -> None:
        await self.handoffs.write(session)
        await self.outbox.add_many(session, self.events)


class HandoffWorker(PollingWorker):
    name = HANDOFFS

    claim_due = staticmethod(store.claim_due)

    async def lock_rows(self, session, claims: list[store.HandoffClaim]) -> HandoffPass:
        return HandoffPass(await store.HandoffRecords.lock(session, (c.handoff_id for c in claims)), self.rt.outbox)

    async def attempt(self, claim: store.HandoffClaim) -> AttemptResult:
        rt = self.rt
        url = rt.settings.court_endpoint_for(claim.court_code)
        if url is None:
            result = AttemptResult(None, None, "no court endpoint is configured for this court", "", 0)
        else:
            body = json.dumps(claim.document, ensure_ascii=False, separators=(",", ":"))
            result = await post_json(rt.http, url, body, {"idempotency-key": claim.handoff_id, **correlation_headers()},
                                     timeout=rt.settings.http_timeout_seconds)
        return result

    def record(self, records: HandoffPass, claim: store.HandoffClaim, result: AttemptResult) -> None:
        rt = self.rt
        now = rt.clock.now()
        accepted = result.status_code is not None and 200 <= result.status_code < 300
        HANDOFF_ATTEMPTS.labels(outcome="accepted" if accepted else "failed").inc()
        log.info("hand-off attempt", handoff_id=claim.handoff_id, attempt=claim.attempt_no,
                 status_code=result.status_code, accepted=accepted)
        handoff = records.handoffs.open(claim.handoff_id)
        if handoff is None:
            return
        handoff.attempts = max(handoff.attempts, claim.attempt_no)
        handoff.last_status_code, handoff.last_error, handoff.updated_at = result.status_code, result.error, now
        if accepted:
            self.accepted(records, handoff, _acknowledgement(result.response_body), now)
        if handoff.status in store.OPEN_STATUSES:
            retry_at = next_attempt_at(handoff.attempts, now, result.retry_after, rt.rng)
            if retry_at is None and handoff.status == "sent":
                # The court has it and numbers later: keep asking at the schedule's longest step,
                # without end, rather than call a delivered hand-off failed.
                retry_at = now + RETRY_SCHEDULE[-1]
            handoff.next_attempt_at = retry_at
            if retry_at is None:
                handoff.status = "failed"
                log.error("hand-off not acknowledged after every retry", handoff_id=handoff.id,
                          case_id=handoff.case_id)

    def accepted(self, records: HandoffPass, handoff: store.RecordedHandoff, ack: dict[str, Any],
                 now: datetime) -> None:
        base = {"handoff_id": handoff.id, "handoff_type": handoff.type, "court_code": handoff.court_code}
        if handoff.sent_at is None:
            handoff.sent_at = now
            handoff.status = "sent"
            self.emit(records, handoff, "handoff.sent", {**base, "sent_at": now.isoformat()}, now)
        number = ack.get("court_case_number")
        if not number:
            return
        handoff.status = "acknowledged"
        handoff.court_case_number = str(number)
        handoff.acknowledged_at = _parse_time(ack.get("acknowledged_at")) or now
        handoff.next_attempt_at = None
        self.emit(records, handoff, "handoff.acknowledged",
                  {**base, "court_case_number": handoff.court_case_number,
                   "acknowledged_at": handoff.acknowledged_at.isoformat()}, now)
        log.info("hand-off acknowledged", handoff_id=handoff.id, case_id=handoff.case_id)

    def emit(self, records: HandoffPass, handoff: store.RecordedHandoff, event_type: str, data: dict[str, Any],
             now: datetime) -> None:
        # Made now, in the claim's correlation scope, which the event carries; written with the pass.
        records.events.append(Envelope.new(event_type, handoff.case_id, "notify", data, occurred_at=now))


def _acknowledgement(body: str) -> dict[str, Any]:
    try:
        parsed = json.loads(body) if body else {}
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def _parse_time(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else None

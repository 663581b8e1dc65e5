"""One worker pass with several results, recorded together (services/notify/workers/loop.py), on
PostgreSQL and SQLite: the rows each result leaves, the attempt log, the endpoints' health, rows
changed by someone else while their attempt ran, and the one-by-one recording when recording the whole
pass fails.

The notify runtime is the real one (API, consumer, migrations), but its background loops are stopped
before the test begins: the test claims with the worker's own `claim_due` and hands the worker's
`record_all` the results its attempts would have had, under a ManualClock, so no pass of the runtime's
own takes a row behind its back."""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import insert, select, update

from services.notify.app import Runtime
from services.notify.channels.http_delivery import AttemptResult
from services.notify.domain.notices import NoticeKind
from services.notify.domain.retry import gone_reason
from services.notify.store import deliveries as delivery_store
from services.notify.store import notices as notice_store
from services.notify.store.endpoints import dead_reason
from services.notify.store.models import MESSAGING, Contact, Delivery, DeliveryAttempt, Handoff, Notice, WebhookEndpoint
from services.notify.workers.loop import PollingWorker
from shared.clock import ManualClock
from tests.integration.notify.support import FAST, START, event, routed_event
from tests.support.platform import Platform, running

LEASE = timedelta(seconds=FAST["claim_lease_seconds"])
DELETED = "the endpoint was deleted"


class NoJitter(random.SystemRandom):
    """The retry schedule without its jitter: 5 s after a first failure, exactly."""

    def uniform(self, a: float, b: float) -> float:
        return 0.0


@pytest.fixture(params=["postgresql", "sqlite"])
async def notify_url(request, pg_database, sqlite_urls) -> str:
    if request.param == "postgresql":
        return await pg_database("notify")
    return sqlite_urls["notify"]


@asynccontextmanager
async def notify(url: str) -> AsyncIterator[tuple[Platform, Runtime, ManualClock]]:
    clock = ManualClock(START)
    # No SMTP server and no SMS provider: an email notice is skipped.
    settings = {"notify": {**FAST, "smtp_host": "", "sms_url": ""}}
    async with running({"notify": url}, clock=clock, settings=settings) as p:
        rt = p.runtimes["notify"]
        assert isinstance(rt, Runtime)
        await rt.stop()  # its loops end; its pools close, and open again on the next use
        rt.rng = NoJitter()
        yield p, rt, clock


async def claim(worker: PollingWorker, limit: int = 50) -> list:
    """What a pass of `worker` claims now, as its run_once does."""
    rt = worker.rt
    async with rt.db.unit_of_work(wake=False) as session:
        return await type(worker).claim_due(session, rt.db, rt.clock.now(), LEASE, limit)


async def all_rows(rt, model) -> dict[Any, Any]:
    async with rt.db.read() as session:
        return {row.id: row for row in (await session.execute(select(model))).scalars()}


async def attempt_log(rt) -> dict[str, list[tuple]]:
    """(attempt_no, attempted_at, status_code, error, response_body) of every attempt, per delivery."""
    logged: dict[str, list[tuple]] = {}
    for attempt in sorted((await all_rows(rt, DeliveryAttempt)).values(), key=lambda a: a.id):
        logged.setdefault(attempt.delivery_id, []).append(
            (attempt.attempt_no, attempt.attempted_at, attempt.status_code, attempt.error, attempt.response_body))
    return logged


async def add_endpoint(p: Platform, name: str) -> str:
    created = await p.client.post("/v1/webhook-endpoints", headers=p.auth("ops"), json={
        "url": f"http://127.0.0.1:9/{name}", "event_types": ["case.routed", "mediation.mediator_assigned"]})
    assert created.status_code == 201, created.text
    return created.json()["id"]


async def deliveries_by_route(rt) -> dict[tuple[str, str, str], Delivery]:
    """Every delivery by (endpoint, case, event type)."""
    return {(d.endpoint_id, d.case_id, d.event_type): d for d in (await all_rows(rt, Delivery)).values()}


def claims_of(claims: list, deliveries: dict[tuple[str, str, str], Delivery]) -> dict[tuple[str, str], Any]:
    """Each routed delivery's claim by (endpoint, case)."""
    by_id = {c.delivery_id: c for c in claims}
    return {(endpoint, case): by_id[d.id] for (endpoint, case, kind), d in deliveries.items()
            if kind == "case.routed" and d.id in by_id}


def counted(metric: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(metric, labels) or 0.0


def webhook_attempts() -> dict[str, float]:
    return {outcome: counted("notify_webhook_attempts_total", outcome=outcome)
            for outcome in ("success", "retry", "disable_endpoint")}


def answer(status: int | None, body: str = "", *, retry_after: str | None = None,
           error: str | None = None) -> AttemptResult:
    return AttemptResult(status, retry_after, error, body, 10)


async def test_one_webhook_pass_records_every_kind_of_result(notify_url):
    async with notify(notify_url) as (p, rt, clock):
        a, b = await add_endpoint(p, "a"), await add_endpoint(p, "b")
        async with rt.db.unit_of_work() as session:  # A has been failing for an hour
            await session.execute(update(WebhookEndpoint).where(WebhookEndpoint.id == a).values(
                consecutive_failures=4, first_failure_at=START - timedelta(hours=1)))
        c1, c2, c3 = (str(uuid.uuid4()) for _ in range(3))
        for case_id in (c1, c2, c3):
            await p.bus.publish(routed_event(case_id, START))
        # c3's next event waits behind its routed one, at each endpoint (order per case)
        await p.bus.publish(event("mediation.mediator_assigned", c3, {"mediator_id": "M1"},
                                  START + timedelta(seconds=1)))
        await p.settle()
        deliveries = await deliveries_by_route(rt)
        claims = claims_of(await claim(rt.webhooks), deliveries)
        assert sorted(claims) == sorted((e, c) for e in (a, b) for c in (c1, c2, c3))
        before, gone_before = webhook_attempts(), counted("notify_webhook_endpoints_disabled_total", reason="gone")

        # B's c3 is claimed but its attempt never came back in the pass; the results in the order they came
        await rt.webhooks.record_all([
            (claims[a, c2], answer(500, "busy, come back in ten minutes", retry_after="600")),
            (claims[a, c3], answer(None, error="ConnectError")),
            (claims[b, c2], answer(500, "oops")),
            (claims[b, c1], answer(410, "gone for good")),
            (claims[a, c1], answer(200, '{"ok": true}')),
        ])

        recorded = await all_rows(rt, Delivery)
        rows = {key: recorded[d.id] for key, d in deliveries.items()}
        succeeded = rows[a, c1, "case.routed"]
        assert (succeeded.status, succeeded.delivered_at, succeeded.next_attempt_at) == ("succeeded", START, None)
        assert (succeeded.attempts, succeeded.last_status_code, succeeded.last_attempt_at) == (1, 200, START)
        retried = rows[a, c2, "case.routed"]
        assert (retried.status, retried.attempts, retried.round_failures) == ("pending", 1, 1)
        assert retried.next_attempt_at == START + timedelta(seconds=600)  # Retry-After, past the schedule's 5 s
        assert (retried.last_status_code, retried.last_error, retried.delivered_at) == (500, None, None)
        unreachable = rows[a, c3, "case.routed"]
        assert (unreachable.status, unreachable.round_failures) == ("pending", 1)
        assert unreachable.next_attempt_at == START + timedelta(seconds=5)
        assert (unreachable.last_status_code, unreachable.last_error) == (None, "ConnectError")
        held = rows[a, c3, "mediation.mediator_assigned"]
        assert (held.status, held.attempts, held.next_attempt_at) == ("pending", 0, START)

        endpoints = await all_rows(rt, WebhookEndpoint)
        # two failures, then the success: the streak is over
        assert (endpoints[a].enabled, endpoints[a].consecutive_failures, endpoints[a].first_failure_at) == (
            True, 0, None)
        assert endpoints[b].enabled is False and endpoints[b].disabled_reason == gone_reason(410)
        assert (endpoints[b].disabled_at, endpoints[b].consecutive_failures) == (START, 1)
        gone = rows[b, c1, "case.routed"]
        assert (gone.status, gone.next_attempt_at, gone.last_status_code, gone.attempts) == ("dead", None, 410, 1)
        # failed before the 410 in the same pass, then buried with its endpoint
        failed_first = rows[b, c2, "case.routed"]
        assert (failed_first.status, failed_first.next_attempt_at, failed_first.round_failures) == ("dead", None, 1)
        assert failed_first.last_error == dead_reason(gone_reason(410))
        # still waiting for B, in the pass (claimed) or not (behind c3's first event): dead with it
        for waiting in (rows[b, c3, "case.routed"], rows[b, c3, "mediation.mediator_assigned"]):
            assert (waiting.status, waiting.next_attempt_at, waiting.attempts) == ("dead", None, 0)
            assert waiting.last_error == dead_reason(gone_reason(410))

        def ids(endpoint: str, case: str) -> str:
            return deliveries[endpoint, case, "case.routed"].id

        assert await attempt_log(rt) == {
            ids(a, c1): [(1, START, 200, None, '{"ok": true}')],
            ids(a, c2): [(1, START, 500, None, "busy, come back in ten minutes")],
            ids(a, c3): [(1, START, None, "ConnectError", "")],
            ids(b, c1): [(1, START, 410, None, "gone for good")],
            ids(b, c2): [(1, START, 500, None, "oops")],
        }
        after = webhook_attempts()
        assert {k: after[k] - before[k] for k in after} == {"success": 1, "retry": 3, "disable_endpoint": 1}
        assert counted("notify_webhook_endpoints_disabled_total", reason="gone") - gone_before == 1

        # Five seconds on, the unreachable one alone is due again, for its second attempt.
        clock.advance(timedelta(seconds=5))
        [again] = await claim(rt.webhooks)
        assert (again.delivery_id, again.attempt_no) == (ids(a, c3), 2)
        await rt.webhooks.record_all([(again, answer(204))])
        second = (await all_rows(rt, Delivery))[ids(a, c3)]
        assert (second.status, second.attempts, second.delivered_at) == ("succeeded", 2, START + timedelta(seconds=5))
        assert [attempt[:3] for attempt in (await attempt_log(rt))[ids(a, c3)]] == [
            (1, START, None), (2, START + timedelta(seconds=5), 204)]


async def test_a_delivery_changed_during_its_attempt_keeps_what_the_change_wrote(notify_url):
    """B is switched off by a 410 that another pass records first; D is deleted by ops. The slower
    pass's failures then neither revive their deliveries nor count against the endpoints, and a 410
    from the deleted endpoint does not overwrite why it was switched off."""
    async with notify(notify_url) as (p, rt, _clock):
        b, d = await add_endpoint(p, "b"), await add_endpoint(p, "d")
        c1, c2 = str(uuid.uuid4()), str(uuid.uuid4())
        await p.bus.publish(routed_event(c1, START))
        await p.bus.publish(routed_event(c2, START))
        await p.settle()
        deliveries = await deliveries_by_route(rt)
        slow = claims_of(await claim(rt.webhooks, limit=2), deliveries)  # the first message, c1's
        fast = claims_of(await claim(rt.webhooks, limit=2), deliveries)
        assert sorted(slow) == sorted([(b, c1), (d, c1)]) and sorted(fast) == sorted([(b, c2), (d, c2)])
        gone_before = counted("notify_webhook_endpoints_disabled_total", reason="gone")

        assert (await p.client.delete(f"/v1/webhook-endpoints/{d}", headers=p.auth("ops"))).status_code == 204
        await rt.webhooks.record_all([(fast[b, c2], answer(410)), (fast[d, c2], answer(410))])
        await rt.webhooks.record_all([(slow[b, c1], answer(500, "oops")), (slow[d, c1], answer(503))])

        rows = await all_rows(rt, Delivery)
        for key in ((b, c1), (d, c1), (b, c2), (d, c2)):
            row = rows[deliveries[(*key, "case.routed")].id]
            assert (row.status, row.next_attempt_at, row.round_failures, row.attempts) == ("dead", None, 0, 1), key
        assert rows[deliveries[b, c1, "case.routed"].id].last_status_code == 500  # the attempt is still its last
        endpoints = await all_rows(rt, WebhookEndpoint)
        assert (endpoints[b].enabled, endpoints[b].disabled_reason) == (False, gone_reason(410))
        assert (endpoints[d].enabled, endpoints[d].disabled_reason, endpoints[d].deleted_at) == (False, DELETED, START)
        assert (endpoints[b].consecutive_failures, endpoints[d].consecutive_failures) == (0, 0)
        assert endpoints[b].first_failure_at is None and endpoints[d].first_failure_at is None
        assert counted("notify_webhook_endpoints_disabled_total", reason="gone") - gone_before == 1
        assert sorted(len(attempts) for attempts in (await attempt_log(rt)).values()) == [1, 1, 1, 1]


@pytest.mark.parametrize("fails_in", ["record", "write"])
async def test_a_pass_that_cannot_be_recorded_is_recorded_one_by_one(notify_url, monkeypatch, fails_in):
    """One result cannot be recorded, whether its record raises or the database refuses its row once
    the pass's statements ran: the others are recorded one by one, exactly once each, and the row
    that could not be falls due again after its lease, unchanged."""
    async with notify(notify_url) as (p, rt, clock):
        a = await add_endpoint(p, "a")
        cases = [str(uuid.uuid4()) for _ in range(3)]
        for case_id in cases:
            await p.bus.publish(routed_event(case_id, START))
        await p.settle()
        deliveries = await deliveries_by_route(rt)
        claims = claims_of(await claim(rt.webhooks), deliveries)
        ok, retried, doomed = (claims[a, case_id] for case_id in cases)
        if fails_in == "record":
            record = rt.webhooks.record

            def refusing_record(records, claimed, result) -> None:
                if claimed is doomed:
                    raise RuntimeError("recording this result fails (test)")
                record(records, claimed, result)

            monkeypatch.setattr(rt.webhooks, "record", refusing_record)
        else:
            write = delivery_store.DeliveryRecords.write

            async def refusing_write(self, session) -> None:
                await write(self, session)
                if doomed.delivery_id in self.deliveries:
                    raise RuntimeError("the database refuses this row (test)")

            monkeypatch.setattr(delivery_store.DeliveryRecords, "write", refusing_write)

        await rt.webhooks.record_all([(ok, answer(200)), (doomed, answer(200)),
                                      (retried, answer(503, retry_after="600"))])

        rows = await all_rows(rt, Delivery)
        assert (rows[ok.delivery_id].status, rows[ok.delivery_id].delivered_at) == ("succeeded", START)
        assert rows[retried.delivery_id].status == "pending"
        assert (rows[retried.delivery_id].round_failures, rows[retried.delivery_id].next_attempt_at) == (
            1, START + timedelta(seconds=600))
        unrecorded = rows[doomed.delivery_id]
        assert (unrecorded.status, unrecorded.attempts, unrecorded.last_attempt_at) == ("pending", 0, None)
        assert unrecorded.next_attempt_at == START + LEASE  # the claim's lease, untouched
        # the whole pass's attempt rows went with its transaction: one each, none for the unrecorded one
        logged = {delivery: [attempt[:3] for attempt in attempts]
                  for delivery, attempts in (await attempt_log(rt)).items()}
        assert logged == {ok.delivery_id: [(1, START, 200)], retried.delivery_id: [(1, START, 503)]}
        endpoint = (await all_rows(rt, WebhookEndpoint))[a]
        assert (endpoint.consecutive_failures, endpoint.first_failure_at) == (1, START)

        monkeypatch.undo()
        clock.advance(LEASE - timedelta(seconds=1))
        assert await claim(rt.webhooks) == []
        clock.advance(timedelta(seconds=1))
        [again] = await claim(rt.webhooks)
        assert (again.delivery_id, again.attempt_no) == (doomed.delivery_id, 1)


def notice(notice_id: str, case_id: str, party_id: str, channel: str, kind: NoticeKind) -> dict[str, Any]:
    return dict(id=notice_id, case_id=case_id, event_id=str(uuid.uuid4()), party_id=party_id, kind=kind.value,
                channel=channel, status="pending", subject="您的案件已分派", body="正文", sms_template="case_routed",
                sms_params={"case": case_id[:8]}, due_at=START - timedelta(minutes=1), attempts=0, created_at=START)


def notice_counts() -> dict[tuple[str, str], float]:
    return {(channel, outcome): counted("notify_notices_total", channel=channel, outcome=outcome)
            for channel in ("email", "sms") for outcome in ("sent", "skipped", "retry", "failed")}


async def test_one_notice_pass_records_sent_skipped_retried_failed_and_leaves_a_cancelled_one(notify_url):
    async with notify(notify_url) as (_p, rt, _clock):
        case_id, other_case = str(uuid.uuid4()), str(uuid.uuid4())
        async with rt.db.unit_of_work() as session:
            await session.execute(insert(Contact.__table__), [
                dict(case_id=case_id, party_id=party, role="applicant", name="张三", email=f"{party}@example.com",
                     phone="13800000000") for party in ("p-sent", "p-skipped", "p-retried")]
                + [dict(case_id=other_case, party_id="p-cancelled", role="applicant", name="李四",
                        email="li@example.com", phone=None)])
            await session.execute(insert(Notice.__table__), [
                notice("N-sent", case_id, "p-sent", "email", NoticeKind.CASE_ROUTED),
                notice("N-skipped", case_id, "p-skipped", "email", NoticeKind.CASE_ROUTED),
                notice("N-retried", case_id, "p-retried", "sms", NoticeKind.CASE_ROUTED),
                notice("N-no-contact", case_id, "p-unknown", "email", NoticeKind.CASE_ROUTED),
                notice("N-cancelled", other_case, "p-cancelled", "email", NoticeKind.DEADLINE_NEAR)])
        claims = {c.notice_id: c for c in await claim(rt.notices)}
        assert sorted(claims) == ["N-cancelled", "N-no-contact", "N-retried", "N-sent", "N-skipped"]
        assert claims["N-no-contact"].address is None and claims["N-retried"].address == "13800000000"
        # the reminder is voided while its send is under way
        async with rt.db.unit_of_work() as session:
            await notice_store.cancel_pending(session, other_case, NoticeKind.DEADLINE_NEAR, "a new deadline")
        before = notice_counts()

        await rt.notices.record_all([
            (claims["N-sent"], ("sent", None, False)),
            # the worker's own attempts: no SMTP server configured, no address for this party
            (claims["N-skipped"], await rt.notices.attempt(claims["N-skipped"])),
            (claims["N-retried"], ("failed", "the SMS provider answered 503", True)),
            (claims["N-no-contact"], await rt.notices.attempt(claims["N-no-contact"])),
            (claims["N-cancelled"], ("sent", None, False)),
        ])

        rows = await all_rows(rt, Notice)
        expected = {
            "N-sent": ("sent", 1, None, START),
            "N-skipped": ("skipped", 1, "the email channel is not configured", None),
            "N-retried": ("pending", 1, "the SMS provider answered 503", None),
            "N-no-contact": ("failed", 1, "the party has no contact for this channel", None),
            "N-cancelled": ("cancelled", 0, "a new deadline", None),
        }
        assert {i: (n.status, n.attempts, n.last_error, n.sent_at) for i, n in rows.items()} == expected
        assert rows["N-retried"].due_at == START + timedelta(seconds=5)
        after = notice_counts()
        assert {k: after[k] - before[k] for k in after if after[k] != before[k]} == {
            ("email", "sent"): 1, ("email", "skipped"): 1, ("sms", "retry"): 1, ("email", "failed"): 1}


def handoff(handoff_id: str) -> dict[str, Any]:
    return dict(id=handoff_id, case_id=str(uuid.uuid4()), type="judicial_confirmation", court_code="370202",
                partner_id="P12", document={"handoff_id": handoff_id}, status="pending", attempts=0,
                next_attempt_at=START - timedelta(minutes=1), correlation_id=f"corr-{handoff_id}", created_at=START,
                updated_at=START)


async def test_one_hand_off_pass_records_acknowledged_sent_and_retried(notify_url):
    async with notify(notify_url) as (_p, rt, _clock):
        async with rt.db.unit_of_work() as session:
            await session.execute(insert(Handoff.__table__), [handoff(h) for h in ("H-ack", "H-sent", "H-retry")])
        claims = {c.handoff_id: c for c in await claim(rt.handoffs)}
        assert sorted(claims) == ["H-ack", "H-retry", "H-sent"]
        accepted = counted("notify_handoff_attempts_total", outcome="accepted")
        failed = counted("notify_handoff_attempts_total", outcome="failed")

        await rt.handoffs.record_all([
            (claims["H-ack"], answer(200, '{"court_case_number": "(2026)鲁0202民特12号"}')),
            (claims["H-retry"], answer(503, error="court system busy")),
            # the court took it and numbers later
            (claims["H-sent"], answer(202, "")),
        ])

        rows = await all_rows(rt, Handoff)
        ack, sent, retry = rows["H-ack"], rows["H-sent"], rows["H-retry"]
        assert (ack.status, ack.court_case_number, ack.acknowledged_at, ack.sent_at) == (
            "acknowledged", "(2026)鲁0202民特12号", START, START)
        assert (ack.next_attempt_at, ack.attempts, ack.last_status_code) == (None, 1, 200)
        assert (sent.status, sent.sent_at, sent.court_case_number, sent.attempts) == ("sent", START, None, 1)
        assert sent.next_attempt_at == START + timedelta(seconds=5)  # asked again for its number
        assert (retry.status, retry.sent_at, retry.attempts, retry.last_status_code, retry.last_error) == (
            "pending", None, 1, 503, "court system busy")
        assert retry.next_attempt_at == START + timedelta(seconds=5)

        async with rt.db.read() as session:
            outbox = (await session.execute(select(MESSAGING.outbox).order_by(MESSAGING.outbox.c.id))).all()
        events = [(row.type, json.loads(row.payload)) for row in outbox]
        assert [(kind, body["data"]["handoff_id"], body["case_id"]) for kind, body in events] == [
            ("handoff.sent", "H-ack", ack.case_id), ("handoff.acknowledged", "H-ack", ack.case_id),
            ("handoff.sent", "H-sent", sent.case_id)]
        assert events[1][1]["data"]["court_case_number"] == "(2026)鲁0202民特12号"
        # each event carries its hand-off's correlation id, which the worker's scope gives it
        assert [body["correlation_id"] for _, body in events] == ["corr-H-ack", "corr-H-ack", "corr-H-sent"]
        assert counted("notify_handoff_attempts_total", outcome="accepted") - accepted == 2
        assert counted("notify_handoff_attempts_total", outcome="failed") - failed == 1

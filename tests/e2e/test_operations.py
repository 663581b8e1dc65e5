"""Operations, on the four services as separate processes over RabbitMQ and PostgreSQL (issue #12):
one correlation id followed from the intake request to the webhook delivery's request headers
through the logs of all four services; every metric the dashboard and the alert rules name exists
in some service's /metrics after that small flow."""

from __future__ import annotations

import asyncio
import json
import uuid

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from shared.auth import issue_token
from shared.settings import DEV_JWT_SECRET
from tests.integration.notify.support import serve
from tests.support.cases import case_body
from tests.support.promql import dashboard_exprs, exposed_names, metric_names, rule_exprs

pytestmark = pytest.mark.e2e

CLERK = {"Authorization": "Bearer " + issue_token(DEV_JWT_SECRET, role="clerk", court_code="370202")}
OPS = {"Authorization": "Bearer " + issue_token(DEV_JWT_SECRET, role="ops")}


def _receiver(received: list[dict[str, str]]) -> Starlette:
    async def hook(request: Request) -> JSONResponse:
        await request.body()
        received.append(dict(request.headers))
        return JSONResponse({"ok": True})
    return Starlette(routes=[Route("/hooks", hook, methods=["POST"])])


def _log_lines(cluster, name: str) -> list[dict]:
    lines = []
    for raw in cluster[name].log_path.read_text(encoding="utf-8", errors="replace").splitlines():
        if raw.startswith("{"):
            try:
                lines.append(json.loads(raw))
            except ValueError:
                pass
    return lines


async def _wait_for(predicate, *, timeout: float = 30.0, what: str) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        if predicate():
            return
        await asyncio.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


async def test_one_correlation_id_from_intake_to_the_webhook_and_every_named_metric_exists(cluster):
    cluster.env["METRICS_SAMPLE_SECONDS"] = "1"
    await cluster.start()
    received: list[dict[str, str]] = []
    cid = f"ops-e2e-{uuid.uuid4()}"
    trace_id = uuid.uuid4().hex
    traceparent = f"00-{trace_id}-b7ad6b7169203331-01"
    async with serve(_receiver(received)) as base, httpx.AsyncClient(timeout=10) as client:
        endpoint = await client.post(f"{cluster['notify'].url}/v1/webhook-endpoints", headers=OPS,
                                     json={"url": f"{base}/hooks", "event_types": ["case.routed"]})
        assert endpoint.status_code == 201, endpoint.text
        filed = await client.post(f"{cluster['intake'].url}/v1/cases", json=case_body(external_ref="OPS-1"),
                                  headers={**CLERK, "Idempotency-Key": f"ops-{uuid.uuid4()}", "X-Correlation-Id": cid,
                                           "traceparent": traceparent})
        assert filed.status_code == 201, filed.text
        assert filed.headers["x-correlation-id"] == cid
        case_id = filed.json()["id"]

        await _wait_for(lambda: any(h.get("x-correlation-id") == cid for h in received), what="the webhook")
        delivery = next(h for h in received if h.get("x-correlation-id") == cid)
        assert delivery["webhook-id"] and delivery["webhook-signature"].startswith("v1,")
        # the caller's trace is passed on, under notify's own span id
        version, passed_trace, span, flags = delivery["traceparent"].split("-")
        assert (version, passed_trace, flags) == ("00", trace_id, "01") and span != "b7ad6b7169203331"

        # Every service logged its part of this case under the same id.
        def logged(name: str, event: str) -> bool:
            return any(line.get("correlation_id") == cid and line.get("event") == event
                       for line in _log_lines(cluster, name))

        await _wait_for(lambda: logged("mediation", "event handled"), what="mediation's log line")
        assert logged("intake", "request"), "intake's access log"
        assert any(line.get("correlation_id") == cid and line.get("event_type") == "case.received"
                   and line.get("event") == "event handled" for line in _log_lines(cluster, "routing"))
        assert any(line.get("correlation_id") == cid and line.get("case_id") == case_id
                   and line.get("event") == "case routed" for line in _log_lines(cluster, "routing"))
        # the attempt is recorded (and logged) once the receiver has answered
        await _wait_for(lambda: logged("notify", "webhook attempt"), what="notify's attempt log line")
        assert logged("notify", "event handled")
        for name in ("intake", "routing", "mediation", "notify"):
            ids = {line.get("correlation_id") for line in _log_lines(cluster, name) if line.get("case_id") == case_id}
            assert ids <= {cid}, f"{name} logged the case under another id: {ids}"

        # After one sampling interval, every metric named in the dashboard and the rules is exposed.
        await asyncio.sleep(2.5)
        exposed: set[str] = set()
        for name, service in cluster.services.items():
            page = await client.get(f"{service.url}/metrics")
            assert page.status_code == 200, name
            exposed |= exposed_names(page.text)
    named = set().union(*(metric_names(expr) for expr in [*dashboard_exprs(), *rule_exprs()]))
    assert named, "the dashboard and the rules name no metric"
    assert not named - exposed, f"named but exposed by no service: {sorted(named - exposed)}"

"""A route that raises: problem+json 500 with the correlation id (header and body), counted under its
route template with status 500, and logged with the same id (issue #12, item 3)."""

from __future__ import annotations

import json
import logging

from prometheus_client import REGISTRY

from tests.support.platform import running


def _log_lines(caplog) -> list[dict]:
    """Every line logged, as the service's one JSON handler writes it to stderr."""
    handler = next(h for h in logging.getLogger().handlers if h.get_name() == "courtmed")
    return [json.loads(handler.format(record)) for record in caplog.records if isinstance(record.msg, dict)]


def _count(route: str, status: str) -> float:
    return REGISTRY.get_sample_value("http_requests_total", {
        "service": "intake", "method": "GET", "route": route, "status": status}) or 0.0


async def test_a_route_that_raises_answers_500_with_its_correlation_id(sqlite_urls, caplog):
    route = "/v1/cases/{case_id}/explode"

    async def explode(case_id: str) -> dict:
        raise RuntimeError("the store fell over")

    async with running({"intake": sqlite_urls["intake"]}) as p:
        p.app.router.add_api_route(route, explode, methods=["GET"])
        before = _count(route, "500")
        caplog.clear()
        answer = await p.client.get("/v1/cases/C-1/explode", headers={"X-Correlation-Id": "ops-test-500"})

        assert answer.status_code == 500
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert answer.headers["x-correlation-id"] == "ops-test-500"
        body = answer.json()
        assert body["status"] == 500 and body["correlation_id"] == "ops-test-500"
        assert "fell over" not in answer.text  # the exception's text stays in the log
        assert _count(route, "500") == before + 1

        lines = _log_lines(caplog)
        errors = [line for line in lines if line.get("event") == "unhandled error"]
        assert errors and errors[0]["correlation_id"] == "ops-test-500"
        assert errors[0]["route"] == route and errors[0]["level"] == "error"
        access = [line for line in lines if line.get("event") == "request" and line.get("status") == 500]
        assert access and access[0]["correlation_id"] == "ops-test-500" and access[0]["route"] == route


async def test_access_log_carries_route_status_and_id_without_the_query(sqlite_urls, caplog):
    async with running({"intake": sqlite_urls["intake"]}) as p:
        caplog.clear()
        await p.client.get("/v1/cases?q=13800138000", headers={"X-Correlation-Id": "ops-access-1"})
        lines = _log_lines(caplog)
    access = [line for line in lines if line.get("event") == "request" and line.get("correlation_id") == "ops-access-1"]
    assert access and access[0]["route"] == "/v1/cases" and access[0]["status"] == 401
    assert "13800138000" not in json.dumps(access)

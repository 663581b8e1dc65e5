"""The four services as separate processes on RabbitMQ and PostgreSQL: volume, a killed router,
a broker that goes away. Nothing accepted is lost; every case is routed exactly once."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
import httpx
import pytest

from shared.auth import issue_token
from shared.settings import DEV_JWT_SECRET
from tests.support.cases import case_body

pytestmark = pytest.mark.e2e

DISTRICTS = ("370202", "370203", "370211", "370212", "370213", "370214", "370215", "370281", "370283", "370285")
CATEGORIES = ("neighbour", "tenancy", "property_service", "private_lending", "consumer", "inheritance")
CLERK = {"Authorization": "Bearer " + issue_token(DEV_JWT_SECRET, role="clerk", court_code="370202")}
OPS = {"Authorization": "Bearer " + issue_token(DEV_JWT_SECRET, role="ops")}


async def post_cases(client: httpx.AsyncClient, base: str, count: int, *, concurrency: int = 20) -> list[str]:
    """Post `count` cases, retrying a request that fails in transit with the same Idempotency-Key,
    as a court system would; returns the case ids."""
    semaphore = asyncio.Semaphore(concurrency)

    async def one(i: int) -> str:
        key = f"e2e-{uuid.uuid4()}"
        # Spread over the city's districts and common categories, as a court's real intake is, so
        # the roster's capacity (80 per district centre) is not what the test measures.
        body = case_body(external_ref=f"E2E-{i}", district=DISTRICTS[i % len(DISTRICTS)],
                         category=CATEGORIES[i % len(CATEGORIES)])
        async with semaphore:
            for _ in range(20):
                try:
                    answer = await client.post(f"{base}/v1/cases", json=body, headers={**CLERK, "Idempotency-Key": key})
                except httpx.HTTPError:
                    await asyncio.sleep(0.2)
                    continue
                if answer.status_code == 201:
                    return answer.json()["id"]
                await asyncio.sleep(0.2)
            raise AssertionError(f"case {i} was never accepted")

    return list(await asyncio.gather(*(one(i) for i in range(count))))


async def routing_counts(routing_db_url: str) -> dict[str, int]:
    conn = await asyncpg.connect(routing_db_url.replace("postgresql+asyncpg", "postgresql"))
    try:
        rows = await conn.fetch("SELECT case_id, count(*) AS n FROM decisions GROUP BY case_id")
    finally:
        await conn.close()
    return {r["case_id"]: r["n"] for r in rows}


async def routed_events_in_timeline(intake_db_url: str) -> dict[str, int]:
    conn = await asyncpg.connect(intake_db_url.replace("postgresql+asyncpg", "postgresql"))
    try:
        rows = await conn.fetch("SELECT case_id, count(*) AS n FROM timeline WHERE type = 'case.routed' GROUP BY case_id")
    finally:
        await conn.close()
    return {r["case_id"]: r["n"] for r in rows}


async def wait_all_routed(pg_urls: dict[str, str], case_ids: list[str], timeout: float = 300.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    wanted = set(case_ids)
    while loop.time() < deadline:
        seen = await routed_events_in_timeline(pg_urls["intake"])
        if wanted <= set(seen):
            return
        await asyncio.sleep(0.5)
    missing = wanted - set(await routed_events_in_timeline(pg_urls["intake"]))
    raise AssertionError(f"{len(missing)} of {len(wanted)} cases never showed as routed")


async def assert_routed_exactly_once(pg_urls: dict[str, str], case_ids: list[str]) -> None:
    decisions = await routing_counts(pg_urls["routing"])
    timeline = await routed_events_in_timeline(pg_urls["intake"])
    assert {c: decisions.get(c) for c in case_ids} == {c: 1 for c in case_ids}
    assert {c: timeline.get(c) for c in case_ids} == {c: 1 for c in case_ids}
    assert len(set(case_ids)) == len(case_ids)


async def test_500_cases_each_routed_exactly_once(cluster, pg_urls):
    await cluster.start()
    async with httpx.AsyncClient(timeout=30) as client:
        case_ids = await post_cases(client, cluster["intake"].url, 500)
        await wait_all_routed(pg_urls, case_ids)
        await assert_routed_exactly_once(pg_urls, case_ids)
        sample = (await client.get(f"{cluster['intake'].url}/v1/cases/{case_ids[0]}", headers=CLERK)).json()
    assert sample["status"] == "routed" and sample["partner_id"]


async def test_routing_killed_mid_flight_routes_every_case_once(cluster, pg_urls):
    await cluster.start()
    async with httpx.AsyncClient(timeout=30) as client:
        first = await post_cases(client, cluster["intake"].url, 100)
        cluster["routing"].kill()
        second = await post_cases(client, cluster["intake"].url, 100)
        cluster["routing"].start()
        await cluster["routing"].wait_ready()
        case_ids = first + second
        await wait_all_routed(pg_urls, case_ids)
    await assert_routed_exactly_once(pg_urls, case_ids)


async def test_broker_restart_loses_nothing_accepted(cluster, pg_urls, broker_proxy):
    await cluster.start()
    async with httpx.AsyncClient(timeout=30) as client:
        before = await post_cases(client, cluster["intake"].url, 50)
        await broker_proxy.cut()
        try:
            during = await post_cases(client, cluster["intake"].url, 50)
            ready = await client.get(f"{cluster['intake'].url}/readyz")
            assert ready.status_code == 503
        finally:
            await broker_proxy.restore()
        after = await post_cases(client, cluster["intake"].url, 50)
        case_ids = before + during + after
        await wait_all_routed(pg_urls, case_ids)
    await assert_routed_exactly_once(pg_urls, case_ids)


async def test_every_service_serves_operations_endpoints(cluster):
    await cluster.start()
    async with httpx.AsyncClient(timeout=10) as client:
        for name, service in cluster.services.items():
            assert (await client.get(f"{service.url}/healthz")).status_code == 200, name
            assert (await client.get(f"{service.url}/readyz")).status_code == 200, name
            metrics = await client.get(f"{service.url}/metrics")
            assert metrics.status_code == 200 and "http_requests_total" in metrics.text, name
            assert (await client.get(f"{service.url}/openapi.json")).json()["openapi"].startswith("3."), name
        unauthenticated = await client.get(f"{cluster['intake'].url}/v1/cases")
    assert unauthenticated.status_code == 401
    assert unauthenticated.headers["content-type"].startswith("application/problem+json")

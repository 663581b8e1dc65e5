"""/readyz answers 503 while the database is unreachable and 200 again when it is back; /healthz
never depends on it."""

from __future__ import annotations

from tests.support import infra
from tests.support.cases import case_body
from tests.support.platform import running
from tests.support.tcp_proxy import TcpProxy


async def test_readyz_follows_the_database(pg_database):
    url = await pg_database("intake")
    database = url.rsplit("/", 1)[1]
    proxy = await TcpProxy(infra.PG_PORT).start()
    try:
        async with running({"intake": infra.pg_url(database, port=proxy.port)}) as p:
            assert (await p.client.get("/readyz")).status_code == 200
            await proxy.cut()
            cut = await p.client.get("/readyz")
            assert cut.status_code == 503
            assert "intake.database" in cut.json()["failures"]
            assert (await p.client.get("/healthz")).status_code == 200
            await proxy.restore()
            assert (await p.client.get("/readyz")).status_code == 200
    finally:
        await proxy.close()


async def test_readyz_follows_the_broker(pg_database, rabbit_vhost):
    proxy = await TcpProxy(infra.AMQP_PORT).start()
    try:
        async with running({"intake": await pg_database("intake")},
                           bus_url=infra.amqp_url(rabbit_vhost, port=proxy.port)) as p:
            assert (await p.client.get("/readyz")).status_code == 200
            await proxy.cut()
            assert (await p.client.get("/readyz")).status_code == 503
            await proxy.restore()
            for _ in range(100):
                if (await p.client.get("/readyz")).status_code == 200:
                    break
                import asyncio

                await asyncio.sleep(0.2)
            assert (await p.client.get("/readyz")).status_code == 200
    finally:
        await proxy.close()


async def test_requests_answer_503_while_the_database_is_unreachable(pg_database):
    """A clerk's system is told to retry (503, Retry-After), not that the platform is broken (500);
    nothing was filed, and the same Idempotency-Key files the case once the database is back."""
    url = await pg_database("intake")
    database = url.rsplit("/", 1)[1]
    proxy = await TcpProxy(infra.PG_PORT).start()
    try:
        async with running({"intake": infra.pg_url(database, port=proxy.port)}) as p:
            clerk = {**p.auth("clerk", court_code="370202"), "Idempotency-Key": "cut-1"}
            await proxy.cut()
            refused = await p.client.post("/v1/cases", headers=clerk, json=case_body())
            assert refused.status_code == 503, refused.text
            assert refused.headers["content-type"].startswith("application/problem+json")
            assert int(refused.headers["retry-after"]) > 0
            listed = await p.client.get("/v1/cases", headers=p.auth("clerk", court_code="370202"))
            assert listed.status_code == 503
            await proxy.restore()
            filed = await p.client.post("/v1/cases", headers=clerk, json=case_body())
            assert filed.status_code == 201, filed.text
    finally:
        await proxy.close()


async def test_an_api_only_process_files_cases_while_the_broker_is_away(pg_database, rabbit_vhost):
    """Intake's API run apart from its relay (role api) never connects to the broker: with RabbitMQ
    unreachable from the start it is ready and files the case, whose event waits in the outbox for
    the worker's relay."""
    proxy = await TcpProxy(infra.AMQP_PORT).start()
    await proxy.cut()
    try:
        async with running({"intake": await pg_database("intake")},
                           bus_url=infra.amqp_url(rabbit_vhost, port=proxy.port),
                           settings={"intake": {"process_role": "api"}}) as p:
            ready = await p.client.get("/readyz")
            assert ready.status_code == 200, ready.text
            clerk = {**p.auth("clerk", court_code="370202"), "Idempotency-Key": "api-only-1"}
            filed = await p.client.post("/v1/cases", headers=clerk, json=case_body())
            assert filed.status_code == 201, filed.text
            assert await p.runtimes["intake"].outbox.unpublished() == 1
    finally:
        await proxy.close()

"""/readyz answers 503 while the database is unreachable and 200 again when it is back; /healthz
never depends on it."""

from __future__ import annotations

from tests.support import infra
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

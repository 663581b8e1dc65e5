"""A release Job's first step (`python -m composition.migrate <service> --wait-only --wait N`) waits
for a database that is not up yet, as on a first Kubernetes install, and fails once N has passed."""

from __future__ import annotations

import asyncio

import pytest

from shared.migrations import wait_for_database
from tests.support import infra
from tests.support.tcp_proxy import TcpProxy


async def test_waits_until_the_database_answers(pg_database):
    database = (await pg_database("ops")).rsplit("/", 1)[1]
    proxy = await TcpProxy(infra.PG_PORT).start()
    try:
        await proxy.cut()  # the cluster does not exist yet
        waiting = asyncio.create_task(wait_for_database(infra.pg_url(database, port=proxy.port), 30))
        await asyncio.sleep(2.5)
        assert not waiting.done()
        await proxy.restore()
        await asyncio.wait_for(waiting, 15)
    finally:
        await proxy.close()


async def test_gives_up_after_its_time(pg_database):
    database = (await pg_database("ops")).rsplit("/", 1)[1]
    proxy = await TcpProxy(infra.PG_PORT).start()
    try:
        await proxy.cut()
        with pytest.raises(OSError):
            await wait_for_database(infra.pg_url(database, port=proxy.port), 1)
    finally:
        await proxy.close()

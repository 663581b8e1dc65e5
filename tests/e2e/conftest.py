from __future__ import annotations

import pytest

from tests.support import infra
from tests.support.processes import Cluster, cluster_env
from tests.support.tcp_proxy import TcpProxy


@pytest.fixture
async def broker_proxy():
    """The services reach RabbitMQ through this proxy, so a test can cut the broker off and bring it
    back without stopping the machine's real broker."""
    proxy = await TcpProxy(infra.AMQP_PORT).start()
    try:
        yield proxy
    finally:
        await proxy.close()


@pytest.fixture
async def cluster(pg_urls, rabbit_vhost, broker_proxy, tmp_path):
    env = cluster_env(pg_urls, infra.amqp_url(rabbit_vhost, port=broker_proxy.port))
    env.pop("NOTIFY_COURT_ENDPOINT", None)
    c = Cluster(env=env, log_dir=tmp_path)
    c.run_step("composition.migrate")
    c.run_step("composition.seed")
    try:
        yield c
    finally:
        c.stop()

"""Fixtures shared by the integration and end-to-end tests: fresh PostgreSQL databases and RabbitMQ
virtual hosts on this machine's real servers, dropped afterwards."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable

import pytest

from tests.support import infra

os.environ.setdefault("APP_ENV", "test")


@pytest.fixture
async def pg_database() -> AsyncIterator[Callable]:
    """A factory: `url = await pg_database("intake")` creates an empty database for that service."""
    created: list[str] = []

    async def make(prefix: str) -> str:
        name = await infra.create_database(f"t_{prefix}")
        created.append(name)
        return infra.pg_url(name)

    yield make
    for name in created:
        await infra.drop_database(name)


@pytest.fixture
async def pg_urls(pg_database) -> dict[str, str]:
    """One fresh PostgreSQL database per service."""
    return {name: await pg_database(name) for name in ("intake", "routing", "mediation", "notify")}


@pytest.fixture
def sqlite_urls(tmp_path) -> dict[str, str]:
    return {name: f"sqlite+aiosqlite:///{tmp_path}/{name}.db" for name in ("intake", "routing", "mediation", "notify")}


@pytest.fixture
async def rabbit_vhost() -> AsyncIterator[str]:
    """A fresh RabbitMQ virtual host (empty queues); its AMQP URL is infra.amqp_url(vhost)."""
    vhost = await infra.create_vhost()
    yield vhost
    await infra.delete_vhost(vhost)


@pytest.fixture(params=["memory", "rabbitmq"])
async def bus_url(request) -> AsyncIterator[str]:
    """Each bus adapter in turn: the in-process bus, and RabbitMQ on a fresh virtual host (its retry
    queues' TTLs, dead-letter queues and redeliveries are the real broker's)."""
    if request.param == "memory":
        yield "memory://"
        return
    vhost = await infra.create_vhost()
    try:
        yield infra.amqp_url(vhost)
    finally:
        await infra.delete_vhost(vhost)

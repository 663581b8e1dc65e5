"""Fixtures for mediation's integration tests: the mediation service alone, on a fresh PostgreSQL
database (or SQLite), with a clock the test moves and sweepers it drives by hand."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime, timezone

import pytest

from shared.clock import ManualClock
from tests.support.platform import Platform, running

START = datetime(2026, 3, 2, 2, 0, tzinfo=timezone.utc)  # Monday 10:00 in Shanghai
# the sweepers' own loops stay out of the way; tests call sweep() when they mean it
QUIET = {"mediation": {"sweep_interval_seconds": 3600}}


@pytest.fixture
async def mediation_pg(pg_database) -> dict[str, str]:
    return {"mediation": await pg_database("mediation")}


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
async def platform(mediation_pg, clock) -> AsyncIterator[Platform]:
    async with running(mediation_pg, clock=clock, settings=QUIET) as p:
        yield p
        await idle(p)


async def idle(p: Platform) -> None:
    """Let the outbox relay go quiet before shutdown. On Python 3.11, asyncio.wait_for in
    shared.messaging.Outbox.run can swallow the cancellation that arrives as its wake-up event
    fires, and ServiceRuntime.stop then waits forever (reported to the lead)."""
    await p.settle()
    await asyncio.sleep(0.3)

"""Fixtures for mediation's integration tests: the mediation service alone, on a fresh PostgreSQL
database (or SQLite), with a clock the test moves and sweepers it drives by hand."""

from __future__ import annotations

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
    """Publish what is still in the outbox before shutdown, so no relay pass is cut short."""
    await p.settle()

"""The backlog gauges read what waits: a mediation past its deadline that no sweeper moved yet, an
open case by status, an outbox row not yet published, the queues as the bus sees them."""

from __future__ import annotations

from datetime import timedelta

from prometheus_client import REGISTRY

from tests.integration.mediation.helpers import put


def _value(name: str, **labels: str) -> float | None:
    return REGISTRY.get_sample_value(name, labels)


async def test_mediation_and_outbox_gauges(platform, clock):
    p = platform
    rt = p.runtimes["mediation"]
    now = clock.now()
    await put(p, status="accepted", accepted_at=now - timedelta(days=40), due_at=now - timedelta(days=9))
    await put(p, status="accepted", accepted_at=now, due_at=now + timedelta(days=30))
    await put(p, status="offered", offer_closes_at=now - timedelta(hours=1))
    await put(p, status="settled", accepted_at=now - timedelta(days=5), due_at=None)

    await rt.backlog.sample_once()

    assert _value("mediation_cases_overdue", deadline="period") == 1
    assert _value("mediation_cases_overdue", deadline="offer") == 1
    assert _value("mediation_cases_open", status="accepted") == 2
    assert _value("mediation_cases_open", status="offered") == 1
    assert _value("mediation_cases_open", status="in_mediation") == 0
    assert _value("outbox_oldest_pending_age_seconds", service="mediation") == 0
    assert _value("courtmed_calendar_covered_until_days", service="mediation") is not None
    assert _value("bus_queue_consumers", queue="mediation.events") == 1
    assert _value("bus_queue_messages", queue="mediation.events.dlq") == 0

    assert await rt.deadline_sweeper.sweep() == 1
    await rt.backlog.sample_once()
    assert _value("mediation_cases_overdue", deadline="period") == 0

"""Each service's queue is bound to exactly the events its handler table acts on: an event bound but
not handled would cost a transaction for nothing, one handled but not bound would never arrive."""

from __future__ import annotations

import pytest

from composition.registry import SERVICES, runtime_for, settings_for
from composition.topology import QUEUES
from shared.bus import InMemoryBus
from shared.events import EVENT_TYPES, PLATFORM_EVENT_TYPES


@pytest.mark.parametrize("service", SERVICES)
def test_queue_bindings_are_the_handler_table(service, tmp_path, monkeypatch):
    monkeypatch.setenv(f"{service.upper()}_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/{service}.db")
    bus = InMemoryBus()
    runtime = runtime_for(service, settings_for(service), bus)
    runtime.register_consumers()
    (subscription,) = bus.subscriptions
    assert subscription.queue == f"{service}.events"
    assert set(subscription.event_types) == set(dict(QUEUES)[subscription.queue])
    assert set(subscription.event_types) <= {*EVENT_TYPES, *PLATFORM_EVENT_TYPES}


def test_only_routing_takes_the_events_that_concern_no_case():
    """Intake's timeline and notify's webhooks are per case: a calendar event would be an unknown case there."""
    takers = {queue for queue, types in QUEUES if set(types) & set(PLATFORM_EVENT_TYPES)}
    assert takers == {"routing.events"}

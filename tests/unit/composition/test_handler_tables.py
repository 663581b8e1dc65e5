"""Each service's handler table (its Runtime's `handler_table`, event type -> action) names exactly
the event types its queue is bound to, and points into the service's own application layer (its
consumers' adapters or its actions), so "what happens on event X" is read in one place."""

from __future__ import annotations

import importlib

import pytest

from composition.registry import SERVICES
from composition.topology import QUEUES


def _table(service: str):
    return importlib.import_module(f"services.{service}.app").Runtime.handler_table


@pytest.mark.parametrize("service", SERVICES)
def test_the_handler_table_is_the_queue_binding(service):
    assert sorted(_table(service)) == sorted(dict(QUEUES)[f"{service}.events"])


@pytest.mark.parametrize("service", SERVICES)
def test_every_handler_is_the_services_own_application_layer(service):
    layers = (f"services.{service}.consumers.", f"services.{service}.actions.")
    strays = {t: h.__module__ for t, h in _table(service).items() if not h.__module__.startswith(layers)}
    assert strays == {}

"""Which webhook endpoints an event goes to.

An ops endpoint (no partner) hears everything it subscribed to. A partner's endpoint hears about the
cases that concern that partner: the one the case is routed to now, and the one an event itself
names (a partner that declines still hears its own decline).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any


def concerned_partners(event_data: Mapping[str, Any], case_partner_id: str | None) -> frozenset[str]:
    named = event_data.get("partner_id")
    return frozenset(p for p in (case_partner_id, named) if isinstance(p, str) and p)


def endpoint_wants(owner_partner_id: str | None, event_types: Collection[str], event_type: str,
                   concerned: frozenset[str]) -> bool:
    if event_type not in event_types:
        return False
    return owner_partner_id is None or owner_partner_id in concerned

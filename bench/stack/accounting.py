"""After a chaos drill (bench/chaos.py): every accepted case accounted for, read from the services'
databases, the webhook receiver's file and the broker's dead-letter queues, never through the API.

- accepted: intake's cases of the drill's tag (what intake committed, answered or not);
- routed or unroutable exactly once: routing's decisions and intake's timeline, one each per case;
- every routed case's webhook delivered at least once, with a verified signature; redeliveries are
  told apart by `webhook-id` (one id per event) and counted, not counted twice;
- dead letters: messages in any `<queue>.dlq`, outbox rows parked, deliveries that gave up.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import aio_pika
import asyncpg
from aio_pika.exceptions import AMQPError

from composition.topology import QUEUES

SERVICES = ("intake", "routing", "mediation", "notify")


@dataclass
class Deliveries:
    """The receiver's file: per case, the webhook ids of its verified case.routed deliveries."""

    ids_by_case: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    deliveries: int = 0
    bad_signatures: int = 0

    @classmethod
    def read(cls, path: Path) -> "Deliveries":
        found = cls()
        if not path.exists():
            return found
        for line in path.read_text(encoding="utf-8").splitlines():
            parts = line.split("\t")
            if len(parts) != 6:
                continue
            _arrival, _partner, webhook_id, case_id, event_type, ok = parts
            if ok != "1":
                found.bad_signatures += 1
            elif event_type == "case.routed":
                found.deliveries += 1
                found.ids_by_case[case_id].add(webhook_id)
        return found

    @property
    def redeliveries(self) -> int:
        return self.deliveries - sum(len(ids) for ids in self.ids_by_case.values())


@dataclass
class Account:
    accepted: int = 0
    routed: int = 0
    unroutable: int = 0
    not_decided: list[str] = field(default_factory=list)  # accepted, neither routed nor unroutable
    decided_twice: list[str] = field(default_factory=list)  # more than one decision or timeline entry
    routed_without_webhook: list[str] = field(default_factory=list)
    two_webhook_ids: list[str] = field(default_factory=list)  # one event announced twice
    deliveries: int = 0
    redeliveries: int = 0
    bad_signatures: int = 0
    dead_letters: dict[str, int] = field(default_factory=dict)
    parked: dict[str, int] = field(default_factory=dict)
    deliveries_given_up: int = 0
    statuses: Counter = field(default_factory=Counter)

    @property
    def lost(self) -> int:
        return len(self.not_decided) + len(self.routed_without_webhook)

    @property
    def duplicated(self) -> int:
        return len(self.decided_twice) + len(self.two_webhook_ids)

    @property
    def unexplained_dead(self) -> int:
        return sum(self.dead_letters.values()) + sum(self.parked.values()) + self.deliveries_given_up

    @property
    def clean(self) -> bool:
        return self.lost == 0 and self.duplicated == 0 and self.unexplained_dead == 0 and self.bad_signatures == 0

    def in_flight(self) -> int:
        return len(self.not_decided) + len(self.routed_without_webhook)


async def account(pools: dict[str, asyncpg.Pool], tag: str, receiver_file: Path, amqp_url: str | None) -> Account:
    """The whole account, over connections the drill opened before the load (the shared server may
    have none to spare afterwards); `amqp_url` None skips the broker (a quick progress check)."""
    result = Account()

    async def _fetch(service: str, query: str, *args) -> list[asyncpg.Record]:
        return await pools[service].fetch(query, *args)

    databases = {service: service for service in pools}
    cases = await _fetch(databases["intake"], "SELECT id, status FROM cases WHERE external_ref LIKE $1", f"{tag}-%")
    result.accepted = len(cases)
    result.statuses = Counter(r["status"] for r in cases)
    ids = [r["id"] for r in cases]
    decisions = {r["case_id"]: (r["n"], r["outcome"]) for r in await _fetch(
        databases["routing"], "SELECT case_id, count(*) AS n, max(outcome) AS outcome FROM decisions "
        "WHERE case_id = ANY($1::text[]) GROUP BY case_id", ids)}
    timeline = {r["case_id"]: r["n"] for r in await _fetch(
        databases["intake"], "SELECT case_id, count(*) AS n FROM timeline WHERE type IN ('case.routed', "
        "'case.unroutable') AND case_id = ANY($1::text[]) GROUP BY case_id", ids)}
    delivered = Deliveries.read(receiver_file)
    result.deliveries, result.redeliveries = delivered.deliveries, delivered.redeliveries
    result.bad_signatures = delivered.bad_signatures
    for case_id in ids:
        count, outcome = decisions.get(case_id, (0, None))
        if count == 0 or case_id not in timeline:
            result.not_decided.append(case_id)
            continue
        if count > 1 or timeline[case_id] > 1:
            result.decided_twice.append(case_id)
        if outcome == "unroutable":
            result.unroutable += 1
            continue
        result.routed += 1
        webhook_ids = delivered.ids_by_case.get(case_id, set())
        if not webhook_ids:
            result.routed_without_webhook.append(case_id)
        elif len(webhook_ids) > 1:
            result.two_webhook_ids.append(case_id)
    if amqp_url is not None:
        for service in SERVICES:
            [row] = await _fetch(databases[service], "SELECT count(*) AS n FROM outbox_parked WHERE released_at IS NULL")
            result.parked[service] = row["n"]
        [row] = await _fetch(databases["notify"], "SELECT count(*) AS n FROM deliveries WHERE status IN ('failed', 'dead')")
        result.deliveries_given_up = row["n"]
        result.dead_letters = await dead_letters(amqp_url)
    return result


async def dead_letters(amqp_url: str) -> dict[str, int]:
    connection = await aio_pika.connect(amqp_url)
    found: dict[str, int] = {}
    try:
        for name, _types in QUEUES:
            channel = await connection.channel()
            try:
                queue = await channel.declare_queue(f"{name}.dlq", passive=True)
                found[f"{name}.dlq"] = queue.declaration_result.message_count or 0
            except AMQPError:
                found[f"{name}.dlq"] = 0  # never declared: nothing was dead-lettered there
    finally:
        await connection.close()
    return found

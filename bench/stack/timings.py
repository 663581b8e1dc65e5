"""When each case was accepted, routed and delivered, all on this machine's clock:

- accepted: intake's `cases.created_at` (services/intake/store/models.py, table `cases`), and the
  scenario from the tag at the front of `cases.external_ref` (the wrk script writes it);
- routed: routing's `decisions.decided_at` of the case's first routed decision
  (services/routing/store/models.py, table `decisions`);
- delivered: the receiver's arrival time of the first verified `case.routed` webhook of the case.
Read from the services' databases (PostgreSQL here, SQLite in bench/stack/sqlite_times.py) between and after the loads (over connections opened before
them: under load the server may have no connection to spare), never through the services' APIs, so
measuring adds nothing to the requests measured.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import asyncpg


@dataclass
class Case:
    id: str
    tag: str
    accepted: float
    routed: float | None = None
    unroutable: bool = False
    delivered: float | None = None


@dataclass
class Arrivals:
    """The receiver's file, read incrementally: first verified arrival per case, and the oddities."""

    path: Path
    offset: int = 0
    delivered: dict[str, float] = field(default_factory=dict)  # case id -> first verified arrival
    webhook_ids: set[str] = field(default_factory=set)
    duplicates: int = 0
    bad_signatures: int = 0
    other_events: int = 0

    def read(self) -> "Arrivals":
        if not self.path.exists():
            return self
        with open(self.path, "rb") as handle:
            handle.seek(self.offset)
            data = handle.read()
        complete = data.rfind(b"\n") + 1  # a line being written is read next time
        self.offset += complete
        for line in data[:complete].decode().splitlines():
            arrival, _partner, webhook_id, case_id, event_type, ok = line.split("\t")
            if ok != "1":
                self.bad_signatures += 1
            elif event_type != "case.routed":
                self.other_events += 1
            elif webhook_id in self.webhook_ids:
                self.duplicates += 1  # at least once: a redelivery, answered but not counted again
            else:
                self.webhook_ids.add(webhook_id)
                self.delivered.setdefault(case_id, float(arrival))
        return self


class Times(Protocol):
    """Where the accepted and routed times are read from: the services' databases, whichever backend."""

    async def accepted(self, tag: str | None) -> list[tuple[str, str, float]]:
        """(case id, external_ref, accepted at) of the tag's cases, or of all cases."""

    async def decisions(self, case_ids: list[str]) -> list[tuple[str, str, float]]:
        """(case id, outcome, decided at) of the cases' decisions, by attempt."""


@dataclass(frozen=True)
class PostgresTimes:
    intake: asyncpg.Pool
    routing: asyncpg.Pool

    async def accepted(self, tag: str | None) -> list[tuple[str, str, float]]:
        query = "SELECT id, external_ref, extract(epoch FROM created_at) AS at FROM cases"
        rows = await (self.intake.fetch(query + " WHERE external_ref LIKE $1", f"{tag}-%") if tag
                      else self.intake.fetch(query))
        return [(r["id"], r["external_ref"], float(r["at"])) for r in rows]

    async def decisions(self, case_ids: list[str]) -> list[tuple[str, str, float]]:
        rows = await self.routing.fetch("SELECT case_id, outcome, extract(epoch FROM decided_at) AS at "
                                        "FROM decisions WHERE case_id = ANY($1::text[]) ORDER BY attempt", case_ids)
        return [(r["case_id"], r["outcome"], float(r["at"])) for r in rows]


async def accepted_cases(times: Times, tag: str | None = None) -> dict[str, Case]:
    return {case_id: Case(case_id, ref.split("-", 1)[0], at) for case_id, ref, at in await times.accepted(tag)}


async def add_decisions(times: Times, cases: dict[str, Case]) -> None:
    for case_id, outcome, at in await times.decisions(list(cases)):
        case = cases[case_id]
        if outcome == "routed" and case.routed is None:
            case.routed = at
        elif outcome == "unroutable":
            case.unroutable = True


def add_arrivals(arrivals: Arrivals, cases: dict[str, Case]) -> None:
    for case_id, at in arrivals.read().delivered.items():
        if case_id in cases:
            cases[case_id].delivered = at


async def tag_cases(times: Times, arrivals: Arrivals, tag: str) -> dict[str, Case]:
    """The tag's cases with the times known so far (read between and after loads)."""
    cases = await accepted_cases(times, tag)
    await add_decisions(times, cases)
    add_arrivals(arrivals, cases)
    return cases


def in_flight(cases: dict[str, Case]) -> int:
    """Cases still on their way: neither delivered nor found unroutable."""
    return sum(1 for c in cases.values() if c.delivered is None and not c.unroutable)


async def all_cases(times: Times, arrivals: Arrivals) -> dict[str, list[Case]]:
    """Every case of the run with its three times, grouped by scenario tag."""
    cases = await accepted_cases(times)
    await add_decisions(times, cases)
    add_arrivals(arrivals, cases)
    by_tag: dict[str, list[Case]] = defaultdict(list)
    for case in cases.values():
        by_tag[case.tag].append(case)
    return dict(by_tag)

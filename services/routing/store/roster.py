"""The roster in routing's database, and an in-memory index of it rebuilt only when it changed."""

from __future__ import annotations

import gc
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.routing.domain.index import RosterIndex
from services.routing.domain.roster import DEFAULT_ROSTER_PATH, Partner, load_roster
from services.routing.domain.ruleset import DEFAULT_RULESET_DOCUMENT
from services.routing.store.models import PartnerRow, RosterRevision, RulesetRow
from shared.db import Database, read_once, rows_affected


def partner_from_row(row: PartnerRow) -> Partner:
    document = {**row.document, "capacity": row.capacity, "active": row.active}
    return load_roster([document])[0]


async def seed_roster(session: AsyncSession, db: Database, now: datetime, path: Path = DEFAULT_ROSTER_PATH) -> int:
    """Load the roster file: new partners are added, known ones get the file's description while
    keeping what ops changed (capacity, active)."""
    with open(path, encoding="utf-8") as handle:
        raw = yaml.safe_load(handle)
    entries: list[dict[str, Any]] = raw["partners"] if isinstance(raw, dict) else raw
    load_roster(raw)  # refuse a bad file as a whole, before writing anything
    for entry in entries:
        document = _jsonable(entry)
        await session.execute(
            db.insert(PartnerRow.__table__)
            .values(id=entry["id"], document=document, capacity=int(entry["capacity"]),
                    active=bool(entry.get("active", True)), open_cases=0, updated_at=now)
            .on_conflict_do_update(index_elements=["id"], set_={"document": document}))
    await bump_revision(session)
    if await session.scalar(select(func.count()).select_from(RulesetRow)) == 0:
        session.add(RulesetRow(version=1, document=dict(DEFAULT_RULESET_DOCUMENT), installed_at=now,
                               installed_by="seed"))
    return len(entries)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


ROSTER_REVISION_ID = 1
# Above this size a rebuilt index is moved out of the garbage collector's sight (gc.freeze): the
# partners live as long as the index, and full collections traversing 500,000 roster objects
# showed up as p99 latency in bench/routing_bench.py.
FREEZE_FROM_PARTNERS = 10_000


# Built once, as Core statements: every decision runs them, and building an ORM statement cost more
# than PostgreSQL's work on it.
_PARTNERS = PartnerRow.__table__
_REVISION = select(RosterRevision.__table__.c.revision).where(RosterRevision.__table__.c.id == ROSTER_REVISION_ID)
_LOADS = select(_PARTNERS.c.id, _PARTNERS.c.open_cases).where(_PARTNERS.c.id.in_(bindparam("ids", expanding=True)))
_TAKE = (update(_PARTNERS)
         .where(_PARTNERS.c.id == bindparam("b_id"), _PARTNERS.c.open_cases < _PARTNERS.c.capacity)
         .values(open_cases=_PARTNERS.c.open_cases + 1))


# The roster revision as a transaction read it (session.info): a consumer's batch routes many cases.
_REVISION_READ = "routing.roster_revision"


async def current_revision(session: AsyncSession) -> int:
    return await session.scalar(_REVISION) or 0


async def bump_revision(session: AsyncSession) -> int:
    """Count one roster change; the row lock also orders concurrent changes."""
    session.info.pop(_REVISION_READ, None)
    bumped = await rows_affected(session, update(RosterRevision).where(RosterRevision.id == ROSTER_REVISION_ID)
                                 .values(revision=RosterRevision.revision + 1))
    if bumped == 0:
        session.add(RosterRevision(id=ROSTER_REVISION_ID, revision=1))
        await session.flush()
    return await current_revision(session)


class RosterCache:
    """The RosterIndex of the roster revision it was built from. A transaction reads the revision
    (one row) once, at its first decision, and rebuilds only when another process changed the
    roster; a change made in this process is applied with RosterIndex.replaced(), which touches the
    changed partner's entries only."""

    def __init__(self) -> None:
        self._index: RosterIndex | None = None
        self._revision: int | None = None

    async def index(self, session: AsyncSession) -> RosterIndex:
        revision = await read_once(session, _REVISION_READ, lambda: current_revision(session))
        if self._index is None or revision != self._revision:
            rows = (await session.execute(select(PartnerRow))).scalars().all()
            self._index = RosterIndex(partner_from_row(r) for r in rows)
            self._revision = revision
            if len(self._index) >= FREEZE_FROM_PARTNERS:
                gc.collect()
                gc.freeze()
        return self._index

    def applied(self, partner: Partner, revision: int) -> None:
        """Take in one partner changed here at `revision`; rebuild later if a change was missed."""
        if self._index is not None and self._revision == revision - 1:
            self._index = self._index.replaced(partner)
            self._revision = revision
        else:
            self.invalidate()

    def invalidate(self) -> None:
        self._index = None
        self._revision = None


async def loads(session: AsyncSession, partner_ids: set[str]) -> dict[str, int]:
    if not partner_ids:
        return {}
    rows = await session.execute(_LOADS, {"ids": sorted(partner_ids)})
    return {pid: count for pid, count in rows.all()}


async def take_capacity(session: AsyncSession, partner_id: str) -> bool:
    """Count a case against the partner; False if it filled up meanwhile (a concurrent decision)."""
    return await rows_affected(session, _TAKE, {"b_id": partner_id}) == 1


async def release_capacity(session: AsyncSession, partner_id: str) -> None:
    await session.execute(update(PartnerRow).where(PartnerRow.id == partner_id, PartnerRow.open_cases > 0)
                          .values(open_cases=PartnerRow.open_cases - 1))

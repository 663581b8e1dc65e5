"""Intake's repository: the rows of filed cases (with their gapless numbers) and of the read model.

Filing writes with Core multi-row statements, one per table for a whole batch, not an ORM flush per
case: the single create is a batch of one, and 500 cases cost the same handful of round trips.
The read model's update, which every event of another service runs, is Core too: the case row
locked by the statement that adds the event to the timeline, the timeline read as plain rows, one
UPDATE of the case row's read-model columns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import replace as replaced
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Table, bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from services.intake.domain.case_number import format_case_number
from services.intake.domain.read_model import CaseReadModel, TimelineEntry, read_model_to_dict, to_timeline_entry
from services.intake.store.models import Case, CaseNumberCounter, Party, TimelineRow
from services.intake.store.sealed import id_number_hash
from shared.db import Database, rows_affected
from shared.events import Envelope
from shared.pagination import after_position
from shared.sealed import LookupKey

CASES: Table = Case.__table__
PARTIES: Table = Party.__table__
TIMELINE: Table = TimelineRow.__table__
COUNTERS: Table = CaseNumberCounter.__table__

# Built once: these run while the counter row is locked, where every microsecond queues the court.
_TAKE_NUMBERS = (update(COUNTERS)
                 .where(COUNTERS.c.court_code == bindparam("b_court"), COUNTERS.c.year == bindparam("b_year"))
                 .values(last_sequence=COUNTERS.c.last_sequence + bindparam("b_count"))
                 .returning(COUNTERS.c.last_sequence))
_SET_NUMBER = update(CASES).where(CASES.c.id == bindparam("b_id")).values(case_number=bindparam("b_number"))

# Built once too: every event another service writes runs these (the read model's update).
READ_MODEL = ("status", "partner_id", "view", "updated_at")  # the case row's columns the events change
_CASE_EXISTS = select(CASES.c.id).where(CASES.c.id == bindparam("b_id"))
_TIMELINE_OF = (select(TIMELINE.c.event_id, TIMELINE.c.type, TIMELINE.c.occurred_at, TIMELINE.c.source,
                       TIMELINE.c.data)
                .where(TIMELINE.c.case_id == bindparam("b_case"))
                .order_by(TIMELINE.c.occurred_at, TIMELINE.c.event_id))
_STORE_VIEW = (update(CASES).where(CASES.c.id == bindparam("b_id"))
               .values({name: bindparam(f"b_{name}") for name in READ_MODEL}))
_ADD_TIMELINE_ENTRY: dict[bool, Any] = {}  # per dialect (_timeline_entry_insert)


async def next_case_numbers(session: AsyncSession, db: Database, court_code: str, year: int,
                            count: int = 1) -> list[str]:
    """The next `count` numbers of this court and year, in order, from one UPDATE of the counter row.

    The row then stays locked until commit (a rollback gives the numbers back, so they are gapless),
    and every filing of the court queues on it: take them as late in the transaction as possible.
    One UPDATE once the row exists; only the court's first case of the year creates it first.
    """
    last = (await session.execute(_TAKE_NUMBERS, {"b_court": court_code, "b_year": year, "b_count": count})).scalar()
    if last is None:
        await session.execute(db.insert(COUNTERS).values(court_code=court_code, year=year, last_sequence=0)
                              .on_conflict_do_nothing(index_elements=["court_code", "year"]))
        last = (await session.execute(_TAKE_NUMBERS, {"b_court": court_code, "b_year": year,
                                                      "b_count": count})).scalar_one()
    return [format_case_number(year, court_code, sequence) for sequence in range(last - count + 1, last + 1)]


@dataclass(frozen=True)
class NewCase:
    """A case being filed, as the rows it writes; a pre-filing case gets its number just before commit."""

    key: str
    row: dict[str, Any]
    parties: list[dict[str, Any]]
    received: Envelope

    @property
    def id(self) -> str:
        return self.row["id"]

    @property
    def needs_number(self) -> bool:
        return self.row["stage"] == "pre_filing"

    def numbered(self, case_number: str) -> NewCase:
        received = self.received.model_copy(update={"data": {**self.received.data, "case_number": case_number}})
        return replaced(self, row={**self.row, "case_number": case_number}, received=received)


async def insert_cases(session: AsyncSession, cases: Sequence[NewCase], lookup: LookupKey) -> None:
    """The case rows and their parties, one multi-row statement each; the column type seals each
    party's id number and phone, and `lookup` gives the id number's keyed hash beside it."""
    await session.execute(insert(CASES), [case.row for case in cases])
    await session.execute(insert(PARTIES), [{**party, "id_number_hash": id_number_hash(lookup, party["id_number"])}
                                            for case in cases for party in case.parties])


async def cases_of_party(session: AsyncSession, lookup: LookupKey, *, court_code: str, id_number: str) -> list[Case]:
    """The court's cases with a party of this id number, oldest first: found through the keyed hash
    (an indexed equality), since the sealed id numbers cannot be compared."""
    with_party = select(PARTIES.c.case_id).where(PARTIES.c.id_number_hash == id_number_hash(lookup, id_number))
    query = (select(Case).where(Case.court_code == court_code, Case.id.in_(with_party))
             .order_by(Case.created_at, Case.id))
    return list((await session.execute(query)).scalars())


async def number_cases(session: AsyncSession, db: Database, cases: Sequence[NewCase], year: int) -> list[NewCase]:
    """Number pre-filing cases (in the order given, per court) and write the numbers; the counter
    rows stay locked until commit, so call this as late in the filing transaction as possible."""
    numbered: list[NewCase] = []
    # One counter per court, taken in a fixed order so that two filings of several courts cannot deadlock.
    for court in sorted({case.row["court_code"] for case in cases}):
        of_court = [case for case in cases if case.row["court_code"] == court]
        numbers = await next_case_numbers(session, db, court, year, len(of_court))
        numbered += [case.numbered(number) for case, number in zip(of_court, numbers, strict=True)]
    if numbered:
        await session.execute(_SET_NUMBER, [{"b_id": case.id, "b_number": case.row["case_number"]}
                                            for case in numbered])
    return numbered


async def add_to_timeline(session: AsyncSession, envelopes: Sequence[Envelope]) -> None:
    """The timeline rows of new events, one multi-row statement."""
    await session.execute(insert(TIMELINE), [timeline_row(envelope) for envelope in envelopes])


def timeline_row(envelope: Envelope) -> dict[str, Any]:
    """The timeline row of an event, personal data dropped."""
    case_id, entry = to_timeline_entry(envelope)
    return {"event_id": entry.event_id, "case_id": case_id, "type": entry.type, "occurred_at": entry.occurred_at,
            "source": envelope.source, "data": dict(entry.data)}


async def add_timeline_entry(session: AsyncSession, db: Database, envelope: Envelope) -> bool:
    """The event on its case's timeline, once, the case row locked until commit so that the events
    of a case are replayed one after the other. False if nothing was added: a second copy of the
    event, or no such case (case_exists tells which)."""
    return await rows_affected(session, _timeline_entry_insert(db), timeline_row(envelope)) > 0


def _timeline_entry_insert(db: Database) -> Any:
    """INSERT ... SELECT FROM cases ... FOR UPDATE ... ON CONFLICT DO NOTHING: the lock and the row in
    one statement, the row only if the case exists. The timeline is read by a later statement,
    whose snapshot (READ COMMITTED) sees every event committed by the holders of the lock before."""
    if db.is_sqlite not in _ADD_TIMELINE_ENTRY:
        columns = [column.name for column in TIMELINE.c]
        locked = (select(*[CASES.c.id if name == "case_id" else bindparam(name, type_=TIMELINE.c[name].type)
                           for name in columns])
                  .where(CASES.c.id == bindparam("case_id")).with_for_update())
        _ADD_TIMELINE_ENTRY[db.is_sqlite] = (db.insert(TIMELINE).from_select(columns, locked)
                                             .on_conflict_do_nothing(index_elements=["event_id"]))
    return _ADD_TIMELINE_ENTRY[db.is_sqlite]


async def case_exists(session: AsyncSession, case_id: str) -> bool:
    return (await session.execute(_CASE_EXISTS, {"b_id": case_id})).first() is not None


async def timeline_entries(session: AsyncSession, case_id: str) -> list[TimelineEntry]:
    """The case's timeline as the read model replays it."""
    # Stored entries had their personal data dropped on the way in (timeline_row).
    return [TimelineEntry(row.event_id, row.type, row.occurred_at, row.data or {})
            for row in await session.execute(_TIMELINE_OF, {"b_case": case_id})]


async def timeline_of(session: AsyncSession, case_id: str) -> list[Row[Any]]:
    """The case's timeline rows, oldest first, as the clerk's view shows them."""
    return list(await session.execute(_TIMELINE_OF, {"b_case": case_id}))


def read_model_columns(view: CaseReadModel, updated_at: datetime) -> dict[str, Any]:
    """The case row's read-model columns for this view (`updated_at` if the view has no event yet)."""
    stored = read_model_to_dict(replaced(view, timeline=()))  # the timeline is kept in its own table
    stored.pop("timeline")
    stored.update({
        "period_days": view.period_days, "attempt": view.attempt, "next_session_at": view.next_session_at,
        "paused": view.paused,
        "handoff_type": view.handoff_type, "unroutable_reason": view.unroutable_reason,
        "declined_partner_ids": list(view.declined_partner_ids),
        "outcome_at": view.outcome_at.isoformat() if view.outcome_at else None,
        "handoff": None if view.handoff is None else {
            "type": view.handoff.type,
            "sent_at": view.handoff.sent_at.isoformat() if view.handoff.sent_at else None,
            "acknowledged_at": view.handoff.acknowledged_at.isoformat() if view.handoff.acknowledged_at else None,
            "court_case_number": view.handoff.court_case_number,
        },
    })
    return {"status": view.status, "partner_id": view.partner_id, "view": stored,
            "updated_at": view.updated_at or updated_at}


async def store_view(session: AsyncSession, case_id: str, columns: dict[str, Any]) -> None:
    """Write the case row's read-model columns (read_model_columns) in one UPDATE."""
    await session.execute(_STORE_VIEW, {"b_id": case_id, **{f"b_{name}": columns[name] for name in READ_MODEL}})


def show_view(case: Case, columns: dict[str, Any]) -> None:
    """Give a loaded case the read-model columns store_view wrote, as if read back (no second UPDATE)."""
    for name in READ_MODEL:
        set_committed_value(case, name, columns[name])


async def list_cases(session: AsyncSession, *, court_code: str | None, status: str | None, category: str | None,
                     partner_id: str | None, created_after: datetime | None, cursor: tuple[datetime, str] | None,
                     limit: int) -> list[Case]:
    query = select(Case)
    if court_code is not None:
        query = query.where(Case.court_code == court_code)
    if status:
        query = query.where(Case.status == status)
    if category:
        query = query.where(Case.category == category)
    if partner_id:
        query = query.where(Case.partner_id == partner_id)
    if created_after:
        query = query.where(Case.created_at > created_after)
    if cursor:
        query = query.where(after_position(Case.created_at, Case.id, cursor))
    query = query.order_by(Case.created_at, Case.id).limit(limit + 1)
    return list((await session.execute(query)).scalars())

"""The rows one worker pass records (workers.loop.PassRecords): locked and read as plain rows at the
pass's start, changed in memory as its results come, written back at its end in one executemany
UPDATE. The statements are Core, built once at import (no ORM rows loaded and flushed one by one)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from typing import Any, ClassVar, Generic, Protocol, Self, TypeVar

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession


class RecordedRow(Protocol):
    id: str
    status: str


R = TypeVar("R", bound=RecordedRow)


class RecordedTable(Generic[R]):
    """What a pass reads of a table's rows (`read`, for who the row is, and `recorded`) and writes
    back (`recorded`), as `row` dataclasses."""

    def __init__(self, table: Table, row: Callable[..., R], recorded: tuple[str, ...],
                 read: tuple[str, ...] = ()) -> None:
        self.row = row
        self.recorded = recorded
        self.lock_rows = (select(table.c.id, *(table.c[name] for name in (*read, *recorded)))
                          .where(table.c.id.in_(bindparam("ids", expanding=True))).order_by(table.c.id)
                          .with_for_update())
        self.write_rows = (update(table).where(table.c.id == bindparam("row_id"))
                           .values({name: bindparam(name) for name in recorded}))

    async def lock(self, session: AsyncSession, ids: Iterable[str]) -> dict[str, R]:
        """SELECT ... FOR UPDATE in id order, so two passes never wait on each other."""
        rows = await session.execute(self.lock_rows, {"ids": sorted(set(ids))})
        return {row.id: self.row(**row._asdict()) for row in rows}

    async def write(self, session: AsyncSession, rows: Collection[R]) -> None:
        if rows:
            await session.execute(self.write_rows, [
                {"row_id": row.id, **{name: getattr(row, name) for name in self.recorded}} for row in rows])


class PassRows(Generic[R]):
    """A pass's rows of one table, of which only those still open when their result comes are changed
    and written; the others (cancelled or finished meanwhile, or gone) are left as they are.
    Subclasses name their `table` and `open_statuses`."""

    table: ClassVar[RecordedTable[Any]]
    open_statuses: ClassVar[tuple[str, ...]]

    def __init__(self, rows: dict[str, R]) -> None:
        self.rows = rows
        self.changed: dict[str, R] = {}

    @classmethod
    async def lock(cls, session: AsyncSession, ids: Iterable[str]) -> Self:
        return cls(await cls.table.lock(session, ids))

    def open(self, row_id: str) -> R | None:
        """The row to record a result on, unless it is gone or no longer open."""
        row = self.rows.get(row_id)
        if row is None or row.status not in self.open_statuses:
            return None
        self.changed[row_id] = row
        return row

    async def write(self, session: AsyncSession) -> None:
        await self.table.write(session, self.changed.values())

"""The async SQLAlchemy engine of one service and the unit of work that owns commit."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any, TypeVar, cast

import orjson
from sqlalchemy import CursorResult, DateTime, Executable, TypeDecorator, event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

T = TypeVar("T")


class Database:
    """One service's database: an engine, a session factory and units of work."""

    def __init__(self, url: str, *, echo: bool = False, pool_size: int = 8, max_overflow: int = 8) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        # Parameters carry personal data (id numbers, phones): keep them out of logs and error messages.
        kwargs: dict[str, Any] = {"echo": echo, "hide_parameters": True,
                                  "json_serializer": _json_text, "json_deserializer": orjson.loads}
        if self.is_sqlite:
            kwargs["connect_args"] = {"timeout": 30}
        else:
            # No pre-ping: on asyncpg it is a BEGIN and a ROLLBACK before every transaction, which
            # cost more than the consumers' own work. A connection found dead instead fails its one
            # transaction (retried by the bus, or by the client with its Idempotency-Key) and makes
            # the pool drop every connection older than it (SQLAlchemy's disconnect handling).
            kwargs.update(pool_size=pool_size, max_overflow=max_overflow, pool_recycle=1800)
        self.engine: AsyncEngine = create_async_engine(url, **kwargs)
        if self.is_sqlite:
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
            # pysqlite's own transaction handling defers BEGIN; take the write lock at BEGIN instead,
            # so read-then-write units of work serialize instead of failing with "database is locked".
            event.listen(self.engine.sync_engine, "begin", _sqlite_begin_immediate)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self._after_commit: list[Callable[[dict], None]] = []

    def on_commit(self, callback: Callable[[dict], None]) -> None:
        """Run `callback(session.info)` after every successful commit (it wakes the outbox relay when
        the transaction wrote outbox rows; the session's `info` says what it wrote)."""
        self._after_commit.append(callback)

    @asynccontextmanager
    async def unit_of_work(self, *, wake: bool = True) -> AsyncIterator[AsyncSession]:
        """A transaction: committed when the block ends normally, rolled back otherwise.

        `wake=False` skips the on-commit callbacks: for a worker claiming rows, which is not new work
        (were claims to wake the workers, each claim would wake the others and they would spin)."""
        async with self.sessions() as session:
            try:
                yield session
                await session.commit()
            except BaseException:
                await session.rollback()
                raise
            info = dict(session.info)
        if wake:
            for callback in self._after_commit:
                callback(info)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        async with self.sessions() as session:
            yield session

    async def ping(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    def insert(self, table: Any) -> Any:
        """The dialect's INSERT, which has on_conflict_do_nothing / do_update."""
        return (sqlite.insert if self.is_sqlite else postgresql.insert)(table)

    async def dispose(self) -> None:
        await self.engine.dispose()


async def read_once(session: AsyncSession, key: str, read: Callable[[], Awaitable[T]]) -> T:
    """What `read()` answers, read once per transaction and kept in the session under `key` (a
    consumer's batch asks for the same reference rows for each of its events); None is not kept.
    A transaction that changes those rows forgets the key (`session.info.pop(key, None)`)."""
    if key in session.info:
        return cast(T, session.info[key])
    found = await read()
    if found is not None:
        session.info[key] = found
    return found


async def rows_affected(session: AsyncSession, statement: Executable, params: dict[str, Any] | None = None) -> int:
    """How many rows an INSERT, UPDATE or DELETE touched. Session.execute is typed as answering a
    Result; for these statements it is a CursorResult, which counts them."""
    return cast(CursorResult[Any], await session.execute(statement, params)).rowcount


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.isolation_level = None  # we issue BEGIN ourselves, see _sqlite_begin_immediate
    cursor = dbapi_conn.cursor()
    # The busy timeout first, so every later statement waits for a lock instead of failing at once.
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA journal_mode")
    if str(cursor.fetchone()[0]).lower() != "wal":
        # WAL persists in the file, so only a file's first connection switches it; switching needs
        # the file to itself, and a second pool opening a connection at that moment is refused at
        # once (the busy timeout does not cover it), so try again briefly.
        _switch_to_wal(cursor)
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _switch_to_wal(cursor: Any, attempts: int = 50) -> None:
    for attempt in range(attempts):
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except Exception as exc:  # sqlite3.OperationalError through the async adapter
            if "locked" not in str(exc) or attempt == attempts - 1:
                raise
            time.sleep(0.05)


def _sqlite_begin_immediate(conn: Any) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE")


class UTCDateTime(TypeDecorator):
    """Timezone-aware datetimes on every backend: stored as UTC, read back aware (SQLite keeps no
    offset of its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, _dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, _dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _json_text(value: Any) -> str:
    """JSON columns through orjson: every event and read model passes through them, and the standard
    library's encoder was a visible share of the consumers' time. Keys that are not strings are
    written as strings, as json.dumps does."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()

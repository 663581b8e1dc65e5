"""Waking an outbox relay that runs in another process (PostgreSQL LISTEN/NOTIFY).

A service may run its API and its relay in separate processes (`ProcessRole`, shared/service.py):
under load, a relay sharing the API's event loop got a turn only between requests, and the accepted
cases waited in the outbox while routing sat idle. The API's transaction that writes outbox rows then
says `NOTIFY` on the service's channel, which PostgreSQL delivers only once the transaction commits
(and never if it rolls back); the relay's process listens on a connection of its own and wakes the
relay at once. The relay still polls (OUTBOX_POLL_SECONDS): a notification lost while the listening
connection was down costs that much latency, never an event."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import asyncpg
from sqlalchemy import Insert, func, literal
from sqlalchemy.engine import make_url
from sqlalchemy.sql.dml import ReturningInsert

from shared.logging import get_logger
from shared.polling import Shutdown

log = get_logger("outbox.wakeup")

# After a lost connection: the first retry soon, then no more often than this.
RECONNECT_MAX_S = 30.0
PING_EVERY_S = 30.0


def channel_of(service: str) -> str:
    return f"courtmed_outbox_{service}"


def announcing(insert: Insert, channel: str) -> ReturningInsert:
    """The outbox's INSERT saying NOTIFY as it writes (RETURNING pg_notify(...)): the listeners hear
    it when the transaction commits, and it costs no round trip of its own; a statement of its own
    would have run while a filing held its court's case-number counter. PostgreSQL folds the
    identical notifications of one transaction (one per row here) into one."""
    return insert.returning(func.pg_notify(literal(channel), literal("")))


def asyncpg_dsn(database_url: str) -> str:
    """The service's SQLAlchemy URL (postgresql+asyncpg://...) as asyncpg takes it."""
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


class WakeupListener:
    """LISTEN on `channel` and call `wake` for each notification; reconnect when the connection drops,
    waking once on every (re)connect so that what was committed while it was down goes out then."""

    def __init__(self, database_url: str, channel: str, wake: Callable[[], None], shutdown: Shutdown) -> None:
        self.dsn, self.channel, self.wake, self.shutdown = asyncpg_dsn(database_url), channel, wake, shutdown

    async def run(self) -> None:
        backoff = 1.0
        while not self.shutdown.requested:
            try:
                await self._listen_until_lost()
                backoff = 1.0
            except (TimeoutError, OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                log.warning("outbox wake-up listener lost its connection; the relay polls meanwhile",
                            channel=self.channel, error=type(exc).__name__)
            await self.shutdown.nap(backoff)
            backoff = min(backoff * 2, RECONNECT_MAX_S)

    async def _listen_until_lost(self) -> None:
        connection = await asyncpg.connect(self.dsn, timeout=10)
        lost = asyncio.Event()
        connection.add_termination_listener(lambda _connection: lost.set())
        try:
            await connection.add_listener(self.channel, lambda *_args: self.wake())
            self.wake()
            while not self.shutdown.requested and not lost.is_set():
                # A closed connection ends the nap at once; one that went silent is found by the ping.
                await self.shutdown.nap(PING_EVERY_S, lost)
                if not self.shutdown.requested and not lost.is_set():
                    await connection.execute("SELECT 1", timeout=5)
        finally:
            # terminate, not close: a connection that went silent would not answer a close either
            connection.terminate()

"""What every service has: its runtime (database, outbox relay, consumers, background loops) and the
FastAPI application around one or more runtimes (one in its own process, four in the embedded mode)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI, Response
from fastapi.responses import JSONResponse, PlainTextResponse
from sqlalchemy import MetaData

from shared.backlog import BacklogSampler, Sample, outbox_sample, queue_sample
from shared.boundary import InputBoundary
from shared.bus import Bus
from shared.clock import Clock, SystemClock
from shared.db import Database
from shared.logging import configure_logging, get_logger
from shared.messaging import ConsumerHandler, MessagingTables, Outbox, idempotent_consumer
from shared.metrics import render
from shared.middleware import RateLimit, RequestContext
from shared.openapi import install_openapi, operation_id
from shared.outbox_ops import outbox_router
from shared.outbox_wakeup import WakeupListener, channel_of
from shared.pagination import use_cursor_key
from shared.polling import Shutdown
from shared.problems import install_problem_handlers
from shared.ratelimit import RateLimiter
from shared.settings import ServiceSettings

log = get_logger("service")


# How long each shutdown step may take (below the Deployment's grace period).
STOP_STEP_SECONDS = 5.0


class ServiceRuntime:
    """One service's moving parts. Subclasses add routers, consumers and background loops."""

    name = "service"
    routers: Sequence[APIRouter] = ()

    def __init__(self, settings: ServiceSettings, bus: Bus, *, metadata: MetaData,
                 tables: MessagingTables, clock: Clock | None = None) -> None:
        self.settings, self.bus = settings, bus
        # The service's one clock: what it records (events, outbox and inbox rows) and what it
        # decides on; tests move it.
        self.clock = clock or SystemClock()
        self.db = Database(settings.database_url)
        # The relay and the consumers get connections of their own: sharing the API's pool, they
        # queued behind every request under load, and accepted cases waited in the outbox until the
        # load stopped.
        self.events_db = Database(settings.database_url, pool_size=2, max_overflow=2)
        self.metadata, self.tables = metadata, tables
        self.shutdown = Shutdown()
        self.role = settings.process_role
        self.outbox = Outbox(self.events_db, tables, bus, self.name, poll_seconds=settings.outbox_poll_seconds,
                             shutdown=self.shutdown, clock=self.clock, linger_seconds=settings.batch_linger_ms / 1000,
                             announce_channel=channel_of(self.name) if self.role == "api" else None)
        self.db.on_commit(self.outbox.on_commit)
        self._tasks: list[asyncio.Task] = []

    @property
    def serves_api(self) -> bool:
        return self.role in ("all", "api")

    @property
    def runs_workers(self) -> bool:
        """The relay, the consumers and the background loops run in this process."""
        return self.role in ("all", "worker")

    # -- wiring -------------------------------------------------------------------------------------
    def consume(self, queue: str, handlers: Mapping[str, ConsumerHandler]) -> None:
        """Subscribe the service's handler table (event type -> `handler(session, envelope)`) as the
        idempotent batch consumer named after `queue`: the queue gets exactly the events it acts on."""
        consumer = idempotent_consumer(self.events_db, self.tables, queue, handlers, clock=self.clock)
        self.bus.subscribe_batch(queue, tuple(handlers), consumer)

    def register_consumers(self) -> None:
        """Subclasses call `self.consume(queue, handlers)` here, before the bus starts."""

    def background_loops(self) -> list[Callable[[], Awaitable[None]]]:
        """Long-running loops of this service, where its workers run; the outbox relay always."""
        return [self.outbox.run]

    def cache_loops(self) -> list[Callable[[], Awaitable[None]]]:
        """Loops that keep what this process caches fresh (the holiday calendar): in every role."""
        return []

    def backlog_samples(self) -> list[Sample]:
        """The backlog gauges this service reports (shared/backlog.py); subclasses add theirs."""
        return [outbox_sample(self.name, self.events_db, self.tables, self.clock.now), queue_sample(self.bus)]

    # -- lifecycle ----------------------------------------------------------------------------------
    async def start(self) -> None:
        loops = list(self.cache_loops())  # a copy: a subclass may hand out a list it keeps
        if self.runs_workers:
            if self.role == "worker":  # the API's commits come from another process
                loops.append(WakeupListener(self.settings.database_url, channel_of(self.name), self.outbox.wake,
                                            self.shutdown).run)
            self.backlog = BacklogSampler(self.name, self.backlog_samples(), self.settings.metrics_sample_seconds,
                                           self.shutdown)
            loops += [*self.background_loops(), self.backlog.run]
        for loop in loops:
            self._tasks.append(asyncio.create_task(self._supervise(loop), name=f"{self.name}:{loop.__qualname__}"))

    async def _supervise(self, loop: Callable[[], Awaitable[None]]) -> None:
        """Restart a background loop that crashed, after a pause: a bug must not silently stop it."""
        while True:
            try:
                await loop()
                return
            except asyncio.CancelledError:
                raise
            except Exception:
                log.error("background loop crashed; restarting", service=self.name, loop=loop.__name__,
                          exc_info=True)
                await asyncio.sleep(1.0)

    async def stop(self) -> None:
        """Ask the loops to stop after their current pass, cancel those that do not in time, and close
        the pools; each step bounded, so shutdown finishes even when a database does not answer."""
        self.shutdown.request()
        if self._tasks and not await self._tasks_end(STOP_STEP_SECONDS):
            for task in self._tasks:
                task.cancel()
            await self._tasks_end(STOP_STEP_SECONDS)
        self._tasks.clear()
        for database in (self.db, self.events_db):
            try:
                await asyncio.wait_for(database.dispose(), STOP_STEP_SECONDS)
            except TimeoutError:
                log.warning("database pool did not close in time", service=self.name)

    async def _tasks_end(self, seconds: float) -> bool:
        _done, running = await asyncio.wait(self._tasks, timeout=seconds)
        if running:
            log.warning("loops did not stop in time", service=self.name, loops=sorted(t.get_name() for t in running))
        return not running

    async def readiness(self) -> dict[str, str]:
        """Failed checks by name (empty when ready)."""
        failures: dict[str, str] = {}
        try:
            await asyncio.wait_for(self.db.ping(), 2.0)
        except Exception as exc:
            failures[f"{self.name}.database"] = type(exc).__name__
            return failures
        if not self.runs_workers:
            return failures  # the relay's readiness is its own process's
        try:
            stalled = await asyncio.wait_for(self.outbox.stalled(), 2.0)
        except Exception as exc:
            stalled = type(exc).__name__
        if stalled:
            failures[f"{self.name}.outbox"] = stalled
        return failures


def create_app(runtimes: Sequence[ServiceRuntime], bus: Bus, *, title: str,
               extra_startup: Sequence[Callable[[], Awaitable[None]]] = ()) -> FastAPI:
    """The HTTP application around `runtimes`; its lifespan starts the bus and every runtime."""
    settings = runtimes[0].settings
    configure_logging(settings.log_level)
    metric_service = runtimes[0].name if len(runtimes) == 1 else "all"

    # Only the relay and the consumers use the bus: an API process of its own (role api) never
    # connects, and stays ready to file cases while the broker is away (they wait in the outbox).
    uses_bus = any(runtime.runs_workers for runtime in runtimes)

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        for runtime in runtimes:
            if runtime.runs_workers:
                runtime.register_consumers()
        if uses_bus:
            await bus.start()
        for runtime in runtimes:
            await runtime.start()
        for startup in extra_startup:
            await startup()
        log.info("started", services=[r.name for r in runtimes])
        try:
            yield
        finally:
            for runtime in runtimes:
                await runtime.stop()
            if uses_bus:
                await bus.close()

    # operationId = the route function's name (`create_case`, `get_case`): what a generated client calls
    app = FastAPI(title=title, version="1.0.0", lifespan=lifespan, generate_unique_id_function=operation_id)
    app.state.runtimes = {r.name: r for r in runtimes}
    app.state.auth_settings = settings
    app.state.bus = bus
    install_problem_handlers(app)
    install_openapi(app)
    use_cursor_key(settings.jwt_secret)

    limiter = RateLimiter(settings.rate_limit_per_minute, settings.rate_limit_burst)
    app.state.rate_limiter = limiter
    # The last added is the outermost: a 429 still carries its correlation id and is counted; bad
    # input (shared/boundary.py) is refused inside the rate limit, before any route reads it.
    app.add_middleware(InputBoundary, api=app, max_body_bytes=settings.max_body_bytes)
    app.add_middleware(RateLimit, limiter=limiter)
    app.add_middleware(RequestContext, service=metric_service)

    @app.get("/healthz", tags=["operations"])
    async def healthz() -> dict:
        """The process is alive. Never checks dependencies: a broker blip must not restart pods."""
        return {"status": "ok"}

    @app.get("/readyz", tags=["operations"])
    async def readyz() -> JSONResponse:
        """Ready when every database answers and the bus is connected with its consumers attached
        (the bus only where it is used)."""
        failures: dict[str, str] = {}
        for runtime in runtimes:
            failures.update(await runtime.readiness())
        if not uses_bus:
            return _readiness(failures)
        ok, detail = bus.health()
        if ok and hasattr(bus, "consumers_attached"):
            try:
                ok = await asyncio.wait_for(bus.consumers_attached(), 2.0)
                detail = "connected" if ok else "a consumer is not attached"
            except Exception as exc:
                ok, detail = False, type(exc).__name__
        if not ok:
            failures["bus"] = detail
        return _readiness(failures)

    @app.get("/metrics", tags=["operations"], response_class=PlainTextResponse)
    async def metrics() -> Response:
        payload, content_type = render()
        return Response(payload, media_type=content_type)

    for runtime in runtimes:
        if runtime.serves_api:
            for router in runtime.routers:
                app.include_router(router)
        if runtime.runs_workers:  # the relay's state and its parked rows are read where it runs
            app.include_router(outbox_router(runtime))
    return app


def _readiness(failures: dict[str, str]) -> JSONResponse:
    status = 200 if not failures else 503
    body = {"status": "ready" if status == 200 else "not_ready", "failures": failures}
    return JSONResponse(body, status_code=status)

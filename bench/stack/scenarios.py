"""The platform benchmark from start to finish: the floor, then the platform started, provisioned
and warmed up, then intake at full speed, fixed rates, the sustained end-to-end run and idle CPU.
Each scenario is the wrk run plus the wait for its cases to come out of the pipeline (bounded), with
CPU sampled around both, so the CPU per case includes the work the load left queued."""

from __future__ import annotations

import asyncio
import os
import shutil
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg

from bench.progress import say
from bench.stack.backlog import queued, wait_until_quiet
from bench.stack.batch import TAG as BATCH_TAG
from bench.stack.batch import BatchRun, file_batches
from bench.stack.broker import BrokerQueues
from bench.stack.cases import Filing, coverage, generate, write_bodies
from bench.stack.cluster import SERVICES, Cluster
from bench.stack.cpu import CpuSampler, delta
from bench.stack.infra import Scratch, pg_pool, pg_url
from bench.stack.load import Load, LoadResult, run_wrk
from bench.stack.logs import LogSummary, summarise_logs
from bench.stack.monitor import Monitor
from bench.stack.process import Child
from bench.stack.provision import clerk_tokens, raise_capacity, register_endpoints
from bench.stack.pyspy import Recordings, Windows, record_all
from bench.stack.timings import Arrivals, Case, PostgresTimes, all_cases, in_flight, tag_cases
from bench.stack.waiting import poll_until

# A scenario refusing more than this share of its requests measures an outage, not a platform.
MAX_REFUSED_SHARE = 0.05


class BenchFailure(RuntimeError):
    pass


@dataclass(frozen=True)
class Plan:
    bodies: int = 4000
    floor_s: float = 15
    intake_s: float = 20
    rates: tuple[int, ...] = (25, 50, 100)
    rate_s: float = 15
    # As many as at full speed: a paced run then reaches its rate whenever the platform can answer
    # that many at once; when it cannot, the achieved rate says so.
    rate_connections: int = 32
    e2e_s: float = 60
    full_connections: int = 32
    idle_s: float = 10
    settle_s: float = 120  # the longest wait for queued work (notices...) before the idle window
    drain_s: float = 90  # the longest wait for a scenario's cases to be delivered
    e2e_drain_s: float = 300
    warmup_cases: int = 40

    @classmethod
    def quick(cls) -> "Plan":
        return cls(bodies=600, floor_s=4, intake_s=6, rate_s=5, e2e_s=10, idle_s=3, settle_s=30, drain_s=45,
                   e2e_drain_s=60, warmup_cases=10)


@dataclass
class Phase:
    key: str  # also the tag of its cases' external_ref
    title: str
    load: LoadResult
    cpu_s: dict[str, float]
    wall_s: float  # load, drain and quiet: the span the CPU was sampled over
    drain_s: float = 0.0
    pending_after_drain: int = 0
    settle_s: float | None = 0.0  # after the drain, until nothing was queued any more (None: not waited)
    queued_left: dict[str, int] = field(default_factory=dict)
    cases: list[Case] = field(default_factory=list)


@dataclass
class Idle:
    cpu_s: dict[str, float]
    wall_s: float
    settle_s: float  # how long the platform kept working queued items after the last webhook
    queued_before: dict[str, int]  # what was still queued when the idle window began
    queued_after: dict[str, int]


@dataclass
class PlatformRun:
    plan: Plan
    phases: list[Phase]
    idle: Idle
    coverage: dict
    arrivals: Arrivals
    monitor: Monitor
    databases: dict[str, str]  # service -> the database name it had in this run
    logs: LogSummary
    log_dir: Path
    started_at: float
    ended_at: float
    cleanup_problems: list[str]
    recordings: Recordings | None = None  # py-spy over the end-to-end scenario
    batches: BatchRun | None = None  # POST /v1/cases/batch, after the scenarios


@dataclass
class _Context:
    plan: Plan
    work_dir: Path
    scratch: Scratch
    sampler: CpuSampler
    bodies: Path
    key_prefix: str
    cluster: Cluster
    arrivals: Arrivals
    monitor: Monitor
    children: list[Child] = field(default_factory=list)
    # Opened once the platform is up and held to the end: the bench must not need a new
    # connection while the services may be using every one the server allows.
    connections: dict[str, asyncpg.Pool] = field(default_factory=dict)
    broker: BrokerQueues | None = None
    recordings: Recordings | None = None

    async def connect(self) -> None:
        for name in ("postgres", *SERVICES):
            self.connections[name] = await pg_pool(self.scratch.databases.get(name, name))
        self.broker = BrokerQueues(self.cluster.env["BUS_URL"])
        await self.broker.open()

    @property
    def times(self) -> PostgresTimes:
        return PostgresTimes(self.connections["intake"], self.connections["routing"])

    async def disconnect(self) -> None:
        for pool in self.connections.values():
            await pool.close()
        self.connections.clear()
        if self.broker is not None:
            await self.broker.close()

    async def queued(self) -> dict[str, int]:
        return await queued(self.connections, self.broker)

    async def wait_until_quiet(self, bound_s: float) -> tuple[float, dict[str, int]]:
        return await wait_until_quiet(self.connections, self.broker, bound_s)

    def check_alive(self) -> None:
        dead = [note for c in (*self.cluster.children, *self.children) if (note := c.exit_note())]
        if dead:
            raise BenchFailure(f"a process of the platform died under load: {', '.join(dead)}")


def check_refusals(result: LoadResult) -> None:
    bad = result.non_201 + result.unanswered
    if bad > max(10, MAX_REFUSED_SHARE * max(result.requests, 1)):
        samples = "\n  ".join(result.refused_samples) or "(no answer bodies: timeouts or socket errors)"
        raise BenchFailure(f"{result.load.tag}: {bad} of {result.requests + result.unanswered} requests were not "
                           f"answered 201 (statuses {result.statuses}, errors {result.errors}); e.g.\n  {samples}")


async def _pending(ctx: _Context, tag: str) -> int:
    return in_flight(await tag_cases(ctx.times, ctx.arrivals, tag))


async def _drain(ctx: _Context, tag: str, bound_s: float) -> tuple[float, int]:
    """Wait until every case of the tag was delivered (or found unroutable), at most bound_s."""
    async def pending() -> int:
        ctx.check_alive()
        return await _pending(ctx, tag)

    return await poll_until(pending, lambda left: left == 0, bound_s)


async def _scenario(ctx: _Context, key: str, title: str, load: Load, drain_bound_s: float,
                    profile_dir: Path | None = None) -> Phase:
    say(f"  {title}: {load.duration_s:g} s ...")
    before, started = ctx.sampler.sample(), time.monotonic()
    recorders = None
    if profile_dir is not None:
        pids = {child.name: child.pid for child in (*ctx.cluster.services.values(), *ctx.cluster.workers.values())}
        recorders = asyncio.create_task(record_all(pids, profile_dir, ctx.work_dir / "profiles",
                                                   Windows.within(load.duration_s)))
    try:
        result = await run_wrk(ctx.cluster.url("intake"), load, ctx.bodies, ctx.work_dir, ctx.key_prefix)
        if recorders is not None:
            ctx.recordings = await recorders  # its windows end before wrk does: no wait here
    finally:
        if recorders is not None and not recorders.done():
            recorders.cancel()
            await asyncio.gather(recorders, return_exceptions=True)
    ctx.check_alive()
    check_refusals(result)
    drained_s, pending = await _drain(ctx, load.tag, drain_bound_s)
    # The cases also left work that is not a webhook (notices to the parties...): it belongs to this
    # scenario's CPU, and must not run into the next scenario's figures.
    settle_s, queued_left = await ctx.wait_until_quiet(max(5.0, drain_bound_s - drained_s))
    used = delta(before, ctx.sampler.sample())
    say(f"    {result.created} accepted ({result.created_per_s:.1f}/s), webhooks drained in {drained_s:.0f} s"
        + (f", {pending} still pending" if pending else "") + f", quiet {settle_s:.0f} s later"
        + (f" (still queued: {queued_left})" if any(queued_left.values()) else ""))
    return Phase(key, title, result, used, time.monotonic() - started, drained_s, pending, settle_s, queued_left)


async def _floor(ctx: _Context) -> Phase:
    plan = ctx.plan
    database = await ctx.scratch.database("floor")
    ctx.sampler.databases.add(database)
    floor = Child("floor", ["bench.floor", "--database-url", pg_url(database)], dict(os.environ),
                  ctx.work_dir / "floor.log").start()
    ctx.children.append(floor)
    try:
        await floor.wait_ready("/healthz")
        ctx.sampler.watch("floor", floor.pid)
        say(f"  floor: {plan.floor_s:g} s ...")
        before, started = ctx.sampler.sample(), time.monotonic()
        load = Load("floor", plan.full_connections, plan.floor_s)
        result = await run_wrk(floor.url, load, ctx.bodies, ctx.work_dir, ctx.key_prefix)
        used = delta(before, ctx.sampler.sample())
        check_refusals(result)
        say(f"    {result.created} rows ({result.created_per_s:.0f}/s)")
        return Phase("floor", "floor: bare FastAPI + one asyncpg INSERT", result, used, time.monotonic() - started)
    finally:
        floor.stop()
        ctx.children.remove(floor)
        ctx.sampler.pids.pop("floor", None)


async def provision(ctx: _Context) -> None:
    cluster = ctx.cluster
    await cluster.start()
    ctx.sampler.databases.update(ctx.scratch.databases.values())
    for child in (*cluster.services.values(), *cluster.workers.values()):
        ctx.sampler.watch(child.name, child.pid)
    await ctx.connect()
    await raise_capacity(cluster.url("routing"))
    receiver = Child("receiver", ["bench.stack.receiver", "--secrets", str(ctx.work_dir / "secrets.json"),
                                  "--out", str(ctx.arrivals.path)], dict(os.environ),
                     ctx.work_dir / "receiver.log")
    # The endpoints name the receiver's port, so they are registered first; the receiver then
    # starts with the secrets the registrations answered.
    await register_endpoints(cluster.url("notify"), receiver.url, ctx.work_dir / "secrets.json")
    receiver.start()
    ctx.children.append(receiver)
    await receiver.wait_ready("/healthz")
    ctx.sampler.watch("receiver", receiver.pid)


async def warm_up(ctx: _Context) -> None:
    """A few cases through the whole pipeline before measuring: connection pools filled, and proof
    that a case gets from filing to a verified webhook at all."""
    plan = ctx.plan
    load = Load("warmup", 4, max(2.0, plan.warmup_cases / 10), rate=10)
    result = await run_wrk(ctx.cluster.url("intake"), load, ctx.bodies, ctx.work_dir, ctx.key_prefix)
    check_refusals(result)
    _, pending = await _drain(ctx, "warmup", 60)
    if pending:
        raise BenchFailure(f"{pending} of {result.created} warm-up cases were never delivered as verified "
                           f"webhooks within 60 s; see the logs in {ctx.work_dir}")


async def _batches(ctx: _Context, filings: list[Filing]) -> BatchRun:
    say("  POST /v1/cases/batch: 500 cases, then 500 with 3 invalid ...")
    run = await file_batches(ctx.cluster.url("intake"), ctx.connections["intake"], filings, ctx.key_prefix)
    _, run.pending = await _drain(ctx, BATCH_TAG, ctx.plan.drain_s)
    say(f"    answered in {', '.join(f'{a.seconds:.2f} s' for a in run.answers)}")
    return run


async def _idle(ctx: _Context) -> Idle:
    say("  waiting for the platform to work off what is queued ...")
    settle_s, queued_before = await ctx.wait_until_quiet(ctx.plan.settle_s)
    say(f"  idle: {ctx.plan.idle_s:g} s ...")
    before, started = ctx.sampler.sample(), time.monotonic()
    await asyncio.sleep(ctx.plan.idle_s)
    used, wall_s = delta(before, ctx.sampler.sample()), time.monotonic() - started
    return Idle(used, wall_s, settle_s, queued_before, await ctx.queued())


def prepared(plan: Plan, work_dir: Path) -> tuple[_Context, list[Filing]]:
    """An empty work directory, the platform's context (nothing started yet) and the request bodies
    written for wrk. Logs are appended to and the receiver's file is read from its start: begin with
    none of a previous run's."""
    shutil.rmtree(work_dir, ignore_errors=True)
    work_dir.mkdir(parents=True)
    scratch = Scratch()
    ctx = _Context(plan, work_dir, scratch, CpuSampler(), work_dir / "bodies.tsv", uuid.uuid4().hex[:8],
                   Cluster(work_dir, scratch), Arrivals(work_dir / "deliveries.tsv"), Monitor())
    filings = generate(plan.bodies)
    write_bodies(ctx.bodies, filings, clerk_tokens({f.court_code for f in filings}))
    return ctx, filings


async def closed(ctx: _Context) -> list[str]:
    """Stop everything the context started and drop its databases and vhost; what could not be dropped."""
    await ctx.disconnect()
    for child in reversed(ctx.children):
        child.stop()
    ctx.cluster.stop()
    return await ctx.scratch.cleanup()


async def run_platform(plan: Plan, work_dir: Path, profile_dir: Path | None = None) -> PlatformRun:
    """profile_dir: where the flame graphs of the end-to-end scenario go (None: not profiled)."""
    ctx, filings = prepared(plan, work_dir)
    started_at = time.time()
    say(f"platform benchmark: logs and data in {work_dir}")
    phases: list[Phase] = []
    watcher = None
    try:
        phases.append(await _floor(ctx))
        say("  starting the platform ...")
        await provision(ctx)
        watcher = asyncio.create_task(ctx.monitor.run(ctx.connections, ctx.broker))
        await warm_up(ctx)
        full, paced = plan.full_connections, plan.rate_connections
        phases.append(await _scenario(ctx, "intake", f"intake at full speed, {full} connections",
                                      Load("intake", full, plan.intake_s), plan.drain_s))
        for rate in plan.rates:
            phases.append(await _scenario(ctx, f"r{rate}", f"{rate} cases/s, {paced} connections",
                                          Load(f"r{rate}", paced, plan.rate_s, rate=rate), plan.drain_s))
        phases.append(await _scenario(ctx, "e2e", f"end to end, full speed, {full} connections",
                                      Load("e2e", full, plan.e2e_s), plan.e2e_drain_s, profile_dir))
        batches = await _batches(ctx, filings)
        idle = await _idle(ctx)
        by_tag = await all_cases(ctx.times, ctx.arrivals)
        for phase in phases:
            phase.cases = by_tag.get(phase.key, [])
    finally:
        if watcher is not None:
            watcher.cancel()
            await asyncio.gather(watcher, return_exceptions=True)
        scratch_names = dict(ctx.scratch.databases)
        problems = await closed(ctx)
        (work_dir / "secrets.json").unlink(missing_ok=True)
    return PlatformRun(plan, phases, idle, coverage(filings), ctx.arrivals, ctx.monitor,
                       scratch_names, summarise_logs(work_dir), work_dir, started_at, time.time(), problems,
                       ctx.recordings, batches)

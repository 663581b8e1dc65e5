"""The embedded mode measured: the platform as `make run` serves it (composition/devrun.py: SQLite
files, the in-process bus, all four services in one process, `python -m composition.run all`), but on
SQLite files in a scratch directory of its own, so the user's var/ is never touched. Provisioned
like the platform section (capacities raised, the 35 partners' webhook endpoints pointing at the
verifying receiver), then one full-speed wrk run and the wait for its webhooks.

Everything started is stopped, and the scratch directory removed, also on failure or Ctrl-C."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from bench.progress import say
from bench.stack.cases import generate, write_bodies
from bench.stack.cluster import SERVICES, service_env
from bench.stack.cpu import CpuSampler, delta
from bench.stack.load import Load, run_wrk
from bench.stack.process import Child, run_step, stop_all
from bench.stack.provision import clerk_tokens, raise_capacity, register_endpoints
from bench.stack.scenarios import BenchFailure, Phase, check_refusals
from bench.stack.sqlite_times import SqliteTimes
from bench.stack.timings import Arrivals, in_flight, tag_cases
from bench.stack.waiting import poll_until

PROCESS = "embedded"  # the CPU sampler's name for the one process


@dataclass(frozen=True)
class EmbeddedPlan:
    bodies: int = 2000
    load_s: float = 20
    connections: int = 32
    drain_s: float = 120
    warmup_cases: int = 20

    @classmethod
    def quick(cls) -> "EmbeddedPlan":
        return cls(bodies=600, load_s=10, drain_s=45, warmup_cases=10)


@dataclass
class EmbeddedRun:
    plan: EmbeddedPlan
    phase: Phase
    arrivals: Arrivals
    log_dir: Path
    started_at: float
    ended_at: float


def _env(data_dir: Path, court_endpoint: str) -> dict[str, str]:
    env = service_env({}, "memory://", court_endpoint)
    env.update({f"{name.upper()}_DATABASE_URL": f"sqlite:///{data_dir}/{name}.db" for name in SERVICES})
    return env


class _Embedded:
    def __init__(self, plan: EmbeddedPlan, work_dir: Path, data_dir: Path) -> None:
        self.plan, self.work_dir = plan, work_dir
        self.times = SqliteTimes(data_dir / "intake.db", data_dir / "routing.db")
        self.arrivals = Arrivals(work_dir / "deliveries.tsv")
        self.sampler = CpuSampler()
        self.children: list[Child] = []
        self.bodies, self.key_prefix = work_dir / "bodies.tsv", uuid.uuid4().hex[:8]
        self.simulator = Child("court-simulator", ["services.notify.court_simulator"], dict(os.environ),
                               work_dir / "court-simulator.log")
        self.env = _env(data_dir, f"{self.simulator.url}/handoffs")
        self.platform = Child(PROCESS, ["composition.run", "all"], self.env, work_dir / "embedded.log")

    def _start(self, child: Child) -> Child:
        self.children.append(child.start())
        return child

    async def start(self) -> None:
        filings = generate(self.plan.bodies)
        write_bodies(self.bodies, filings, clerk_tokens({f.court_code for f in filings}))
        setup_log = self.work_dir / "setup.log"
        run_step(["composition.migrate", *SERVICES], self.env, setup_log)
        run_step(["composition.seed", *SERVICES], self.env, setup_log)
        self._start(self.simulator)
        self._start(self.platform)
        await self.simulator.wait_ready("/healthz")
        await self.platform.wait_ready("/readyz", timeout=90)
        self.sampler.watch(PROCESS, self.platform.pid)
        await raise_capacity(self.platform.url)
        receiver = Child("receiver", ["bench.stack.receiver", "--secrets", str(self.work_dir / "secrets.json"),
                                      "--out", str(self.arrivals.path)], dict(os.environ),
                         self.work_dir / "receiver.log")
        await register_endpoints(self.platform.url, receiver.url, self.work_dir / "secrets.json")
        self._start(receiver)
        await receiver.wait_ready("/healthz")
        self.sampler.watch("receiver", receiver.pid)

    def check_alive(self) -> None:
        dead = [note for c in self.children if (note := c.exit_note())]
        if dead:
            raise BenchFailure(f"a process of the embedded platform died: {', '.join(dead)}")

    async def drain(self, tag: str, bound_s: float) -> tuple[float, int]:
        async def left() -> int:
            self.check_alive()
            return in_flight(await tag_cases(self.times, self.arrivals, tag))

        return await poll_until(left, lambda count: count == 0, bound_s)

    async def load(self, load: Load):
        result = await run_wrk(self.platform.url, load, self.bodies, self.work_dir, self.key_prefix)
        self.check_alive()
        check_refusals(result)
        return result

    async def warm_up(self) -> None:
        result = await self.load(Load("warmup", 4, max(2.0, self.plan.warmup_cases / 10), rate=10))
        _, pending = await self.drain("warmup", 60)
        if pending:
            raise BenchFailure(f"{pending} of {result.created} embedded warm-up cases were never delivered within "
                               f"60 s; see the logs in {self.work_dir}")

    async def measure(self) -> Phase:
        plan = self.plan
        title = f"embedded, full speed, {plan.connections} connections"
        say(f"  {title}: {plan.load_s:g} s ...")
        before, started = self.sampler.sample(), time.monotonic()
        result = await self.load(Load(PROCESS, plan.connections, plan.load_s))
        drained_s, pending = await self.drain(PROCESS, plan.drain_s)
        used = delta(before, self.sampler.sample())
        say(f"    {result.created} accepted ({result.created_per_s:.1f}/s), webhooks drained in {drained_s:.0f} s"
            + (f", {pending} still pending" if pending else ""))
        cases = await tag_cases(self.times, self.arrivals, PROCESS)
        # No "quiet" wait: the in-process bus and SQLite outboxes have no queue the bench can read.
        return Phase(PROCESS, title, result, used, time.monotonic() - started, drained_s, pending, None,
                     cases=list(cases.values()))


async def run_embedded(plan: EmbeddedPlan, work_dir: Path) -> EmbeddedRun:
    shutil.rmtree(work_dir, ignore_errors=True)
    work_dir.mkdir(parents=True)
    data_dir = Path(tempfile.mkdtemp(prefix="courtmed-bench-embedded-"))
    started_at = time.time()
    say(f"embedded benchmark: logs in {work_dir}, SQLite files in {data_dir} (removed afterwards)")
    bench = _Embedded(plan, work_dir, data_dir)
    try:
        say("  starting the embedded platform ...")
        await bench.start()
        await bench.warm_up()
        phase = await bench.measure()
    finally:
        stop_all(bench.children)
        shutil.rmtree(data_dir, ignore_errors=True)
        (work_dir / "secrets.json").unlink(missing_ok=True)
    return EmbeddedRun(plan, phase, bench.arrivals, work_dir, started_at, time.time())

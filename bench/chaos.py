"""`make chaos`: the benchmark's load (50 cases/s for several minutes) on `make run-distributed`
while, in turn, RabbitMQ is stopped and started, PostgreSQL restarted, each service SIGKILLed (the
supervisor restarts it) and a partner's webhook endpoint fails for a while; then every case is
accounted for (bench/stack/accounting.py), the table of faults and counts printed and written to
docs/RELIABILITY.md. Exits 1 unless nothing was lost, duplicated or dead-lettered.

This machine's PostgreSQL and RabbitMQ are shared (other work runs against them), so they are
never stopped: the services reach them through TCP proxies of this process
(tests/support/tcp_proxy.py), and "stopping" a server is cutting its proxy: every open connection
dropped, new ones refused, as a server that went away; "starting" it is opening the proxy again.
The receiver of the partners' webhooks sits behind a proxy as well. Everything is restored and
removed at the end, also when the drill fails: proxies, processes, databases, vhost.

    python -m bench.chaos [--minutes 4] [--rate 50] [--out docs/RELIABILITY.md]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench.machine import machine, utc_now
from bench.progress import say
from bench.stack.accounting import Account, account
from bench.stack.cases import generate, write_bodies
from bench.stack.cluster import UNLIMITED
from bench.stack.infra import AMQP_PORT, PG_PORT, Scratch, pg_pool
from bench.stack.load import Load, LoadResult, run_wrk
from bench.stack.process import ROOT, Child, free_port
from bench.stack.provision import clerk_tokens, raise_capacity, register_endpoints
from tests.support.tcp_proxy import TcpProxy

SERVICES = ("intake", "routing", "mediation", "notify")
# What make run-distributed runs of them: intake as its API and its worker (composition/registry.py).
PROCESSES = ("intake", "intake-worker", "routing", "mediation", "notify")
TAG = "chaos"


@dataclass
class Fault:
    name: str
    at: float  # share of the load's duration at which it starts
    hold_s: float  # how long the server stays away (0 for a kill)
    started: float | None = None  # seconds into the load
    restored: float | None = None
    recovered_s: float | None = None  # from restore until every service answered /readyz 200
    not_ready: set[str] = field(default_factory=set)  # services seen answering /readyz != 200 meanwhile


def faults(hold_broker: float, hold_pg: float, hold_partner: float) -> list[Fault]:
    return [
        Fault("RabbitMQ stopped, then started (proxy cut)", 0.08, hold_broker),
        Fault("PostgreSQL restarted (proxy cut: every connection dropped)", 0.25, hold_pg),
        *(Fault(f"{name} SIGKILLed (the supervisor restarts it)", 0.38 + 0.07 * i, 0)
          for i, name in enumerate(PROCESSES)),
        Fault("partners' webhook endpoint failing (connections refused)", 0.75, hold_partner),
    ]


@dataclass
class Drill:
    work_dir: Path
    rate: float
    load_s: float
    drain_s: float
    scratch: Scratch = field(default_factory=Scratch)
    pg_proxy: TcpProxy = field(default_factory=lambda: TcpProxy(PG_PORT))
    amqp_proxy: TcpProxy = field(default_factory=lambda: TcpProxy(AMQP_PORT))
    partner_proxy: TcpProxy | None = None
    ports: dict[str, int] = field(default_factory=lambda: {name: free_port() for name in PROCESSES})
    supervisor: subprocess.Popen | None = None
    receiver: Child | None = None
    readiness: dict[str, bool] = field(default_factory=dict)
    pools: dict = field(default_factory=dict)  # service -> one connection to its database, held open

    @property
    def log_dir(self) -> Path:
        return self.work_dir / "logs"

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}"

    def amqp_url(self, *, direct: bool = False) -> str:
        port = AMQP_PORT if direct else self.amqp_proxy.port
        return f"amqp://guest:guest@127.0.0.1:{port}/{self.scratch.vhost}"

    # -- set-up -------------------------------------------------------------------------------------
    async def start(self) -> None:
        await self.pg_proxy.start()
        await self.amqp_proxy.start()
        for name in SERVICES:
            await self.scratch.database(name)
        await self.scratch.virtual_host()
        simulator_port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith(tuple(f"{s.upper()}_" for s in SERVICES))}
        env.update({
            "BUS_URL": self.amqp_url(), "APP_ENV": "test", "LOG_LEVEL": "WARNING", "PYTHONUNBUFFERED": "1",
            "RATE_LIMIT_PER_MINUTE": UNLIMITED, "RATE_LIMIT_BURST": UNLIMITED,
            "COURT_SIMULATOR_PORT": str(simulator_port), "DISTRIBUTED_LOG_DIR": str(self.log_dir),
            "NOTIFY_COURT_ENDPOINT": f"http://127.0.0.1:{simulator_port}/handoffs",
        })
        for name in SERVICES:
            env[f"{name.upper()}_DATABASE_URL"] = (
                f"postgresql://postgres@127.0.0.1:{self.pg_proxy.port}/{self.scratch.databases[name]}")
            env[f"{name.upper()}_PORT"] = str(self.ports[name])
        env["INTAKE_WORKER_PORT"] = str(self.ports["intake-worker"])
        # The supervisor appends to its logs across restarts; across drills they start empty, so
        # what they show is this drill's.
        shutil.rmtree(self.log_dir, ignore_errors=True)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        with open(self.work_dir / "terminal.log", "ab") as terminal:
            self.supervisor = subprocess.Popen([sys.executable, "-m", "composition.distributed"], cwd=ROOT, env=env,
                                               stdout=terminal, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                               start_new_session=True)
        async with httpx.AsyncClient() as client:
            for name in PROCESSES:
                if not await self._until_ready(client, [name], 180):
                    raise RuntimeError(f"{name} never became ready; see {self.log_dir}")
        for name in SERVICES:  # before the load: the shared server may have no connection to spare later
            self.pools[name] = await pg_pool(self.scratch.databases[name])
        await raise_capacity(self.url("routing"))
        self.receiver = Child("receiver", ["bench.stack.receiver", "--secrets", str(self.work_dir / "secrets.json"),
                                           "--out", str(self.work_dir / "deliveries.tsv")], dict(os.environ),
                              self.work_dir / "receiver.log")
        self.partner_proxy = await TcpProxy(self.receiver.port).start()
        await register_endpoints(self.url("notify"), f"http://127.0.0.1:{self.partner_proxy.port}",
                                 self.work_dir / "secrets.json")
        self.receiver.start()
        await self.receiver.wait_ready("/healthz")

    async def _until_ready(self, client: httpx.AsyncClient, names, bound_s: float) -> bool:
        deadline = time.monotonic() + bound_s
        while time.monotonic() < deadline:
            if self.supervisor is not None and self.supervisor.poll() is not None:
                raise RuntimeError(f"the supervisor exited with {self.supervisor.returncode}; see {self.work_dir}")
            if all([await self._ready(client, n) for n in names]):
                return True
            await asyncio.sleep(0.5)
        return False

    async def _ready(self, client: httpx.AsyncClient, name: str) -> bool:
        try:
            ok = (await client.get(f"{self.url(name)}/readyz", timeout=2)).status_code == 200
        except httpx.HTTPError:
            ok = False
        self.readiness[name] = ok
        return ok

    # -- faults -------------------------------------------------------------------------------------
    def pid(self, service: str) -> int:
        return json.loads((self.log_dir / "supervisor.json").read_text())[service]["pid"]

    async def inject(self, fault: Fault, load_started: float) -> None:
        await asyncio.sleep(max(0.0, load_started + fault.at * self.load_s - time.monotonic()))
        fault.started = time.monotonic() - load_started
        say(f"  {fault.started:5.0f} s  {fault.name}")
        killed = None
        if fault.name.startswith("RabbitMQ"):
            await self.amqp_proxy.cut()
        elif fault.name.startswith("PostgreSQL"):
            await self.pg_proxy.cut()
        elif fault.name.startswith("partners'"):
            await self.partner_proxy.cut()
        else:
            killed = fault.name.split()[0]
            os.kill(self.pid(killed), signal.SIGKILL)
        async with httpx.AsyncClient() as client:
            watch_until = time.monotonic() + max(fault.hold_s, 2.0)
            while time.monotonic() < watch_until:
                for name in PROCESSES:
                    if not await self._ready(client, name):
                        fault.not_ready.add(name)
                await asyncio.sleep(0.5)
            if fault.name.startswith("RabbitMQ"):
                await self.amqp_proxy.restore()
            elif fault.name.startswith("PostgreSQL"):
                await self.pg_proxy.restore()
            elif fault.name.startswith("partners'"):
                await self.partner_proxy.restore()
            restored = time.monotonic()
            fault.restored = restored - load_started
            if await self._until_ready(client, PROCESSES, 180):
                fault.recovered_s = time.monotonic() - restored
        say(f"         back after {fault.hold_s:.0f} s; all ready {fault.recovered_s or float('nan'):.1f} s later"
            + (f"; not ready meanwhile: {', '.join(sorted(fault.not_ready))}" if fault.not_ready else ""))

    # -- tear-down ----------------------------------------------------------------------------------
    async def stop(self) -> list[str]:
        """Restore and remove everything, whatever state the drill left; problems are returned."""
        problems: list[str] = []
        for proxy in (self.amqp_proxy, self.pg_proxy, self.partner_proxy):
            if proxy is not None:
                await proxy.restore()
        if self.supervisor is not None and self.supervisor.poll() is None:
            self.supervisor.send_signal(signal.SIGINT)
            try:
                await asyncio.to_thread(self.supervisor.wait, 40)
            except subprocess.TimeoutExpired:
                problems.append("the supervisor did not stop in 40 s; killed")
                self.supervisor.kill()
        state = self.log_dir / "supervisor.json"
        if state.exists():
            for name, entry in json.loads(state.read_text()).items():
                try:
                    os.kill(entry["pid"], signal.SIGKILL)  # an orphan of a supervisor that was killed
                    problems.append(f"{name} (pid {entry['pid']}) outlived the supervisor; killed")
                except (ProcessLookupError, TypeError):
                    pass
        if self.receiver is not None:
            self.receiver.stop()
        for pool in self.pools.values():
            await pool.close()
        self.pools.clear()
        for proxy in (self.amqp_proxy, self.pg_proxy, self.partner_proxy):
            if proxy is not None:
                await proxy.close()
        problems += await self.scratch.cleanup()
        (self.work_dir / "secrets.json").unlink(missing_ok=True)
        return problems


async def drain(drill: Drill, bound_s: float) -> tuple[float, Account]:
    """Until every accepted case is decided and every routed one delivered (bounded)."""
    started = time.monotonic()
    while True:
        progress = await account(drill.pools, TAG, drill.work_dir / "deliveries.tsv", None)
        waited = time.monotonic() - started
        if progress.in_flight() == 0 or waited >= bound_s:
            return waited, progress
        say(f"  draining: {progress.in_flight()} of {progress.accepted} cases still on their way ({waited:.0f} s)")
        await asyncio.sleep(10)


def report(drill: Drill, plan: list[Fault], load: LoadResult, drained_s: float, result: Account,
           problems: list[str], command: str) -> str:
    def fmt(value: float | None, digits: int = 0) -> str:
        return "—" if value is None else f"{value:.{digits}f}"

    verdict = "**0 lost, 0 duplicated, 0 unexplained dead letters**" if result.clean else "**FAILED**"
    lines = [
        "# Reliability: the chaos drill",
        "",
        "Written by `make chaos` (`python -m bench.chaos`); do not edit by hand.",
        "",
        f"- Date: {utc_now()}",
        f"- Machine: {machine()}; shared with other engineers' test runs against the same PostgreSQL and "
        "RabbitMQ while the drill ran, so timings are noisy.",
        f"- Command: `{command}`",
        f"- Load: wrk, {drill.rate:g} cases/s asked for {drill.load_s:.0f} s ({load.requests} requests, "
        f"{load.created} answered 201, statuses {dict(sorted(load.statuses.items()))}, errors {load.errors}); "
        "bodies from bench/stack/cases.py, each with its court's clerk token.",
        "- Platform: `make run-distributed` (`python -m composition.distributed`: the four services, intake as its API "
        "and its worker, and the court simulator under the supervisor) on fresh PostgreSQL databases and a fresh RabbitMQ vhost, "
        "`APP_ENV=test`, rate limits out of reach; every partner has a webhook endpoint for `case.routed` on a "
        "receiver that verifies each signature.",
        "- Faults: the machine's servers are shared, so they are never stopped: the services reach PostgreSQL "
        "and RabbitMQ through TCP proxies of the drill, and stopping a server is cutting its proxy (open "
        "connections dropped, new ones refused); the partners' receiver sits behind a proxy too. SIGKILL is "
        "sent to the service's process; the supervisor restarts it.",
        "",
        f"Verdict: {verdict}.",
        "",
        "## Faults",
        "",
        "| fault | at s | held s | every service ready again after s | /readyz not 200 meanwhile |",
        "|---|---|---|---|---|",
    ]
    for fault in plan:
        lines.append(f"| {fault.name} | {fmt(fault.started)} | {fault.hold_s:.0f} | {fmt(fault.recovered_s, 1)} | "
                     f"{', '.join(sorted(fault.not_ready)) or 'none'} |")
    lines += [
        "",
        "## Every case accounted for",
        "",
        "| count | value |",
        "|---|---|",
        f"| accepted (intake committed the case, answered or not) | {result.accepted} |",
        f"| routed | {result.routed} |",
        f"| unroutable (no eligible partner: returned to the court) | {result.unroutable} |",
        f"| lost: accepted but never routed or unroutable | {len(result.not_decided)} |",
        f"| lost: routed but no webhook delivered | {len(result.routed_without_webhook)} |",
        f"| duplicated: decided or entered in the timeline more than once | {len(result.decided_twice)} |",
        f"| duplicated: one case announced under two webhook ids | {len(result.two_webhook_ids)} |",
        f"| webhook deliveries verified | {result.deliveries} |",
        f"| of which redeliveries of a webhook id already received (deduplicated by id) | {result.redeliveries} |",
        f"| deliveries with a bad signature | {result.bad_signatures} |",
        f"| dead letters in RabbitMQ (`*.dlq`) | {sum(result.dead_letters.values())} |",
        f"| outbox rows parked | {sum(result.parked.values())} |",
        f"| webhook deliveries given up (failed / dead) | {result.deliveries_given_up} |",
        f"| drain after the load: until every case was decided and delivered, s | {drained_s:.0f} |",
        "",
        f"Case statuses in intake at the end: {dict(sorted(result.statuses.items()))}.",
        "",
        "Requests refused or unanswered while a fault was on (wrk's non-201 answers and socket errors) are",
        "not cases: the court system retries them. What counts is that nothing intake accepted is lost.",
    ]
    if problems:
        lines += ["", "Tear-down problems: " + "; ".join(problems)]
    lines.append("")
    return "\n".join(lines)


async def run(args: argparse.Namespace) -> int:
    work_dir = Path(args.work_dir)
    work_dir.mkdir(parents=True, exist_ok=True)
    for leftover in ("deliveries.tsv", "terminal.log"):
        (work_dir / leftover).unlink(missing_ok=True)
    drill = Drill(work_dir, args.rate, args.minutes * 60, args.drain_minutes * 60)
    plan = faults(args.hold_broker, args.hold_postgres, args.hold_partner)
    filings = generate(4000)
    bodies = work_dir / "bodies.tsv"
    write_bodies(bodies, filings, clerk_tokens({f.court_code for f in filings}))
    problems: list[str] = []
    say(f"chaos drill: logs and data in {work_dir}")
    try:
        say("  starting make run-distributed behind the proxies ...")
        await drill.start()
        say(f"  load: {args.rate:g} cases/s for {drill.load_s:.0f} s, faults in turn:")
        load_started = time.monotonic()
        injections = asyncio.gather(*(drill.inject(fault, load_started) for fault in plan))
        load = await run_wrk(drill.url("intake"), Load(TAG, 32, drill.load_s, rate=args.rate), bodies, work_dir,
                             uuid.uuid4().hex[:8])
        await injections
        drained_s, _ = await drain(drill, drill.drain_s)
        result = await account(drill.pools, TAG, work_dir / "deliveries.tsv", drill.amqp_url(direct=True))
    finally:
        problems = await drill.stop()
    command = "python -m bench.chaos" + "".join(f" {shlex.quote(a)}" for a in sys.argv[1:])
    markdown = report(drill, plan, load, drained_s, result, problems, command)
    print(markdown)
    Path(args.out).write_text(markdown, encoding="utf-8")
    say(f"  written to {args.out}")
    return 0 if result.clean else 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=3.0, help="length of the load")
    parser.add_argument("--rate", type=float, default=50.0, help="cases per second asked of intake")
    parser.add_argument("--drain-minutes", type=float, default=30.0,
                        help="longest wait after the load (a delivery that failed twice waits 5 min to retry)")
    parser.add_argument("--hold-broker", type=float, default=20.0)
    parser.add_argument("--hold-postgres", type=float, default=10.0)
    parser.add_argument("--hold-partner", type=float, default=30.0)
    parser.add_argument("--out", default="docs/RELIABILITY.md")
    parser.add_argument("--work-dir", default="var/chaos")
    sys.exit(asyncio.run(run(parser.parse_args())))


if __name__ == "__main__":
    main()

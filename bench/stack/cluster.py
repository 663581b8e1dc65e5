"""The platform under test, started as `make run-distributed` starts it: four service processes on
fresh databases and a fresh vhost, migrated and seeded by the operator commands, with the court
simulator receiving hand-offs. Everything started here is stopped and dropped in `Cluster.close()`."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from bench.stack.infra import Scratch, amqp_url, pg_url
from bench.stack.process import Child, run_step, stop_all
from composition.registry import SPLIT_SERVICES

SERVICES = ("intake", "routing", "mediation", "notify")
# So high that the per-caller token bucket never answers 429: the benchmark measures the work, not
# the limiter (one clerk token per court sends hundreds of requests a second).
UNLIMITED = "100000000"


def service_env(databases: dict[str, str], bus_url: str, court_endpoint: str) -> dict[str, str]:
    # Settings of a developer's shell (INTAKE_PORT, NOTIFY_WORKER_...) must not leak into the run:
    # the platform is measured with its defaults.
    env = {k: v for k, v in os.environ.items() if not k.startswith(tuple(f"{s.upper()}_" for s in SERVICES))}
    env.update({
        "BUS_URL": bus_url,
        "APP_ENV": "test",  # development behaviour (loopback webhooks allowed) with no demo shortcuts
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
        "RATE_LIMIT_PER_MINUTE": UNLIMITED,
        "RATE_LIMIT_BURST": UNLIMITED,
        "NOTIFY_COURT_ENDPOINT": court_endpoint,
    })
    env.update({f"{name.upper()}_DATABASE_URL": pg_url(db) for name, db in databases.items()})
    return env


@dataclass
class Cluster:
    log_dir: Path
    scratch: Scratch
    env: dict[str, str] = field(default_factory=dict)
    services: dict[str, Child] = field(default_factory=dict)  # the API's process, where a service has two
    workers: dict[str, Child] = field(default_factory=dict)  # the other of a split service (SPLIT_SERVICES)
    simulator: Child | None = None

    @property
    def children(self) -> list[Child]:
        return [c for c in (self.simulator, *self.services.values(), *self.workers.values()) if c is not None]

    def url(self, service: str) -> str:
        return self.services[service].url

    async def start(self) -> None:
        databases = {name: await self.scratch.database(name) for name in SERVICES}
        vhost = await self.scratch.virtual_host()
        self.simulator = Child("court-simulator", ["services.notify.court_simulator"], dict(os.environ),
                               self.log_dir / "court-simulator.log")
        self.env = service_env(databases, amqp_url(vhost), f"{self.simulator.url}/handoffs")
        setup_log = self.log_dir / "setup.log"
        for name in SERVICES:
            run_step(["composition.migrate", name], self.env, setup_log)
            run_step(["composition.seed", name], self.env, setup_log)
        self.simulator.start()
        for name in SERVICES:
            run = ["composition.run", name]
            if name in SPLIT_SERVICES:
                self.workers[name] = Child(f"{name}-worker", [*run, "--role", "worker"], self.env,
                                           self.log_dir / f"{name}-worker.log").start()
                run = [*run, "--role", "api"]
            self.services[name] = Child(name, run, self.env, self.log_dir / f"{name}.log").start()
        await self.simulator.wait_ready("/healthz")
        for child in [*self.services.values(), *self.workers.values()]:
            await child.wait_ready("/readyz", timeout=90)

    def stop(self) -> None:
        stop_all(self.children)

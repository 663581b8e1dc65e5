"""`make run-distributed`: the four services as separate processes on RabbitMQ and PostgreSQL.

Broker and database URLs come from the environment (BUS_URL, INTAKE_DATABASE_URL, ...); the Makefile
gives local defaults. Each database is created and migrated, reference data seeded, then the four
processes (and the court-system simulator) run until Ctrl-C.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time

from services.registry import SERVICES, settings_for
from services.seed import seed
from shared.migrations import upgrade

SIMULATOR_PORT = 8010


def start_processes() -> list[subprocess.Popen]:
    env = dict(os.environ)
    env.setdefault("NOTIFY_COURT_ENDPOINT", f"http://127.0.0.1:{SIMULATOR_PORT}/handoffs")
    procs = [subprocess.Popen([sys.executable, "-m", "services.notify.court_simulator", "--port", str(SIMULATOR_PORT)],
                              env=env)]
    for name in SERVICES:
        procs.append(subprocess.Popen([sys.executable, "-m", "services.run", name], env=env))
    return procs


def main() -> None:
    if os.environ.get("BUS_URL", "memory://").startswith("memory://"):
        sys.exit("BUS_URL must name a RabbitMQ broker (amqp://...) for the distributed mode")
    for name in SERVICES:
        upgrade(name, settings_for(name).database_url)
    asyncio.run(seed(list(SERVICES)))
    procs = start_processes()
    ports = ", ".join(f"{n} :{settings_for(n).port}" for n in SERVICES)
    print(f"running: {ports}, court simulator :{SIMULATOR_PORT}. Ctrl-C stops all.", flush=True)
    stopping = False

    def stop(*_args) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    while not stopping and all(p.poll() is None for p in procs):
        time.sleep(0.5)
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
    for proc in procs:
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


if __name__ == "__main__":
    main()

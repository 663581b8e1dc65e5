"""`make run-distributed`: the four services as separate processes on RabbitMQ and PostgreSQL.

Broker and database URLs come from the environment (BUS_URL, INTAKE_DATABASE_URL, ...); the Makefile
gives local defaults. Each database is created and migrated, reference data seeded, then the four
processes (intake as two: its API, and its relay and consumer as `intake-worker`; composition/registry.py,
SPLIT_SERVICES) and the court-system simulator run under a supervisor (composition/supervisor.py): one that
dies is restarted with backoff, every line it wrote kept in `var/log/<name>.log` (DISTRIBUTED_LOG_DIR);
Ctrl-C stops all.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from composition.registry import SERVICES, SPLIT_SERVICES, settings_for, worker_port
from composition.seed import seed
from composition.supervisor import Program, Supervisor
from shared.migrations import upgrade

ROOT = Path(__file__).resolve().parent.parent


def programs(env: dict[str, str]) -> list[Program]:
    simulator_port = env.get("COURT_SIMULATOR_PORT", "8010")
    env = {**env, "PYTHONUNBUFFERED": "1"}
    env.setdefault("NOTIFY_COURT_ENDPOINT", f"http://127.0.0.1:{simulator_port}/handoffs")
    found = [Program("court-simulator", [sys.executable, "-m", "services.notify.court_simulator",
                                         "--port", simulator_port], env, ROOT)]
    for name in SERVICES:
        run = [sys.executable, "-m", "composition.run", name]
        if name not in SPLIT_SERVICES:
            found.append(Program(name, run, env, ROOT))
            continue
        found.append(Program(name, [*run, "--role", "api"], env, ROOT))
        found.append(Program(f"{name}-worker", [*run, "--role", "worker", "--port", str(worker_port(name, env))],
                             env, ROOT))
    return found


def main() -> None:
    if os.environ.get("BUS_URL", "memory://").startswith("memory://"):
        sys.exit("BUS_URL must name a RabbitMQ broker (amqp://...) for the distributed mode")
    for name in SERVICES:
        upgrade(name, settings_for(name).database_url)
    asyncio.run(seed(list(SERVICES)))
    log_dir = Path(os.environ.get("DISTRIBUTED_LOG_DIR", ROOT / "var" / "log"))
    supervisor = Supervisor(programs(dict(os.environ)), log_dir=log_dir)
    supervisor.install_signal_handlers()
    ports = ", ".join([*(f"{n} :{settings_for(n).port}" for n in SERVICES),
                       *(f"{n}-worker :{worker_port(n, dict(os.environ))}" for n in SPLIT_SERVICES)])
    print(f"running: {ports}, court simulator :{os.environ.get('COURT_SIMULATOR_PORT', '8010')}; "
          f"a process that dies is restarted; logs in {log_dir}. Ctrl-C stops all.", flush=True)
    supervisor.run()


if __name__ == "__main__":
    main()

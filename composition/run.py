"""Run one service in its own process, or all four in one (the embedded mode).

    python -m composition.run intake           # port 8001, its own database, RabbitMQ from BUS_URL
    python -m composition.run all --port 8000  # all four, one process, one bus
    python -m composition.run intake --role api               # intake's API alone (port 8001)
    python -m composition.run intake --role worker --port 8005  # its outbox relay and consumer

A service runs whole by default (role `all`). Run as `api` and `worker` side by side (PostgreSQL only),
its requests and its outbox relay do not share one event loop: the API's commits wake the worker's
relay through PostgreSQL NOTIFY (shared/outbox_wakeup.py).
"""

from __future__ import annotations

import argparse
import os

import uvicorn
from fastapi import FastAPI

from composition.registry import SERVICES, bus_for, runtime_for, settings_for
from shared.service import create_app


def build_app(names: list[str], role: str | None = None) -> tuple[FastAPI, int, str]:
    settings = {name: settings_for(name, role) for name in names}
    first = settings[names[0]]
    bus = bus_for(first)
    runtimes = [runtime_for(name, settings[name], bus) for name in names]
    title = "Court-annexed mediation platform" if len(names) > 1 else f"courtmed {names[0]}"
    startups = [hook for r in runtimes for hook in getattr(r, "startup_hooks", lambda: [])()]
    app = create_app(runtimes, bus, title=title, extra_startup=startups)
    for runtime in runtimes:
        mount = getattr(runtime, "mount", None)
        if mount:
            mount(app)
    return app, first.port, first.host


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    # The image's default command names no service: it runs the one COURTMED_SERVICE names. The
    # embedded mode (all four in one process) only when asked for by name: `all`.
    parser.add_argument("service", nargs="?", choices=[*SERVICES, "all"], default=os.environ.get("COURTMED_SERVICE"))
    parser.add_argument("--port", type=int, default=None)
    parser.add_argument("--host", default=None)
    parser.add_argument("--role", choices=["all", "api", "worker"], default=None,
                        help="what of the service this process runs (default: PROCESS_ROLE, else all)")
    args = parser.parse_args()
    if args.service is None:
        parser.error("name the service to run (intake, routing, mediation, notify; `all` for the embedded "
                     "mode) or set COURTMED_SERVICE")
    names = list(SERVICES) if args.service == "all" else [args.service]
    if args.role not in (None, "all") and args.service == "all":
        parser.error("--role api or worker names one service")
    app, port, host = build_app(names, args.role)
    if args.service == "all" and args.port is None:
        port = 8000
    uvicorn.run(app, host=args.host or host, port=args.port or port, log_config=None,
                access_log=False, lifespan="on")


if __name__ == "__main__":
    main()

"""python -m services.notify.court_simulator --port 8010"""

from __future__ import annotations

import argparse

import uvicorn

from services.notify.court_simulator.app import create_app


def main() -> None:
    parser = argparse.ArgumentParser(description="Simulated court system receiving hand-offs")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8010)
    args = parser.parse_args()
    uvicorn.run(create_app(), host=args.host, port=args.port, log_level="info")


if __name__ == "__main__":
    main()

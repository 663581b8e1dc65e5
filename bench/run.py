"""`make bench`: every benchmark, printed as markdown with when, where and how it ran, ready to
paste into docs/BENCHMARKS.md.

Usage: python -m bench.run [--decisions N] [--seed S]
"""

from __future__ import annotations

import argparse
import os
import platform
import shlex
import sys
from datetime import datetime, timezone

from bench.intake_bench import intake_section
from bench.routing_bench import routing_section


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine() -> str:
    return (f"{os.cpu_count()} CPUs (nproc {len(os.sched_getaffinity(0))}), {cpu_model()}, "
            f"Python {platform.python_version()} on {platform.system()} {platform.machine()}")


def main() -> None:
    parser = argparse.ArgumentParser(description="Run the benchmarks and print markdown.")
    parser.add_argument("--decisions", type=int, default=5000, help="decisions timed per roster")
    parser.add_argument("--seed", type=int, default=20260101)
    parser.add_argument("--cases", type=int, default=200, help="cases filed per intake scenario")
    args = parser.parse_args()
    command = "python -m bench.run" + "".join(f" {shlex.quote(a)}" for a in sys.argv[1:])
    print("## Routing decision latency\n")
    print(f"- Date: {datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}")
    print(f"- Machine: {machine()}")
    print(f"- Command: `{command}` (`make bench`)")
    print(f"- What: single-threaded `decide()` ({args.decisions:,} decisions per roster, seed {args.seed}) "
          "with the default ruleset, policy pack spc-2016 and a random open-case load; the national "
          "roster is generated (100,000 partner bodies, 4 mediators each).\n")
    print("\n".join(routing_section(args.decisions, args.seed)))
    print("\n## Intake: filing a case (POST /v1/cases)\n")
    print(f"- Date: {datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}")
    print(f"- Machine: {machine()}")
    print(f"- Command: `{command}` (`make bench`)")
    print("- What: the real intake app in process (validation, idempotency key, gapless case number, "
          "outbox row, timeline), httpx in the same process as the client, PostgreSQL on this machine.\n")
    print("\n".join(intake_section(args.cases)))
    sys.stdout.flush()


if __name__ == "__main__":
    main()

"""Where and when a benchmark ran: the lines every section of docs/BENCHMARKS.md starts with."""

from __future__ import annotations

import os
import platform
import shlex
import sys
from datetime import datetime, timezone


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


def utc_now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def command_line() -> str:
    return "python -m bench.run" + "".join(f" {shlex.quote(a)}" for a in sys.argv[1:])


def provenance(what: str) -> list[str]:
    """Date, machine, command and what was measured, as the bullet list opening a section."""
    return [f"- Date: {utc_now()}", f"- Machine: {machine()}", f"- Command: `{command_line()}` (`make bench`)",
            f"- What: {what}", ""]

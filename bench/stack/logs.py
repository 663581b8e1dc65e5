"""What the service logs said during the run: warnings, errors and tracebacks per process, with the
most frequent messages, so a benchmark that looks fine but logged failures says so."""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

# "asyncpg.exceptions.TooManyConnectionsError: sorry..." - a line naming a raised exception.
_EXCEPTION_LINE = re.compile(r"^([A-Za-z_][\w.]*(?:Error|Exception|Timeout|Exit|Interrupt|Warning)\w*)(?::|$)", re.M)
PROCESSES = ("intake", "intake-worker", "routing", "mediation", "notify", "court-simulator", "receiver", "floor")


@dataclass
class ProcessLog:
    warnings: int = 0
    errors: int = 0
    tracebacks: int = 0
    messages: Counter = field(default_factory=Counter)


LogSummary = dict[str, ProcessLog]


def _level_and_event(line: str) -> tuple[str, str] | None:
    """The level and the message, with the exception's type when the record carries a traceback."""
    if not line.startswith("{"):
        return None
    try:
        record = json.loads(line)
    except ValueError:
        return None
    event = str(record.get("event", ""))[:120]
    raised = _EXCEPTION_LINE.findall(str(record.get("exception") or ""))
    if raised:
        event += f" ({raised[0].rsplit('.', 1)[-1]})"  # the root cause: a chained traceback prints it first
    return str(record.get("level", "")).lower(), event


def summarise(path: Path) -> ProcessLog:
    found = ProcessLog()
    with open(path, encoding="utf-8", errors="replace") as handle:
        for line in handle:
            if line.startswith("Traceback"):
                found.tracebacks += 1
                continue
            parsed = _level_and_event(line)
            if parsed is None:
                continue
            level, event = parsed
            if level == "warning":
                found.warnings += 1
            elif level in ("error", "critical", "exception"):
                found.errors += 1
            else:
                continue
            found.messages[f"{level}: {event}"] += 1
    return found


def summarise_logs(log_dir: Path) -> LogSummary:
    return {name: summarise(log_dir / f"{name}.log") for name in PROCESSES if (log_dir / f"{name}.log").exists()}

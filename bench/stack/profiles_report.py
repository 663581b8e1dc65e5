"""The "Profiles" subsection of the platform section: links to the flame graphs and the table of
our own hottest functions per service, from the py-spy recordings of one scenario."""

from __future__ import annotations

import time

from bench.stack.pyspy import RATE_HZ, Recordings
from bench.stack.stacks import profile

TOP = 8


def _windows(rec: Recordings) -> str:
    w = rec.windows
    return (f"sampled at {RATE_HZ} Hz with `py-spy record --nonblocking` (no pauses of the process): the table "
            f"from seconds {w.raw_start_s}-{w.raw_start_s + w.raw_s} of the load (`--format raw`), the flame "
            f"graphs from seconds {w.svg_start_s}-{w.svg_start_s + w.svg_s} (a second, shorter recording, so only "
            f"one recorder per process runs at a time); py-spy itself used {rec.pyspy_cpu_s:.1f} s of CPU over "
            "them, on the same two cores, so this scenario's figures above carry that load too")


def _table(rec: Recordings) -> list[str]:
    found = {name: profile(r.raw, TOP) for name, r in rec.by_service.items() if r.raw.exists()}
    if not found:
        return []
    names = list(found)
    lines = ["| rank | " + " | ".join(names) + " |", "|---:|" + "---|" * len(names)]
    for rank in range(TOP):
        cells = []
        for name in names:
            top = found[name].top
            cells.append(f"`{top[rank].function}` {top[rank].share:.0%}" if rank < len(top) else "")
        lines.append(f"| {rank + 1} | " + " | ".join(cells) + " |")
    lines.append("| SQLAlchemy sync layer (greenlet) | "
                 + " | ".join(f"{found[n].greenlet_share:.0%}" for n in names) + " |")
    lines.append("| samples | " + " | ".join(f"{found[n].samples:,}" for n in names) + " |")
    return lines


def profiles_lines(rec: Recordings | None, scenario: str) -> list[str]:
    if rec is None:
        return []
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(rec.started_at))
    links = ", ".join(f"[{name}](flamegraphs/{name}.svg)" for name, r in rec.by_service.items() if r.svg.exists())
    lines = ["### Profiles", "",
             f"Taken {when} during \"{scenario}\", each service process {_windows(rec)}.", ""]
    if links:
        lines += [f"Flame graphs: {links}.", ""]
    table = _table(rec)
    if table:
        lines += [f"Our own functions (modules under `services/` and `shared/`) by inclusive share of the "
                  f"samples of their process, top {TOP} per service:", "", *table, "",
                  "py-spy shows SQLAlchemy's sync ORM code, which runs in a greenlet (`Session.execute`, "
                  "`Session.get`, `Session.flush`, `Session.commit`), as stacks of their own rooted in "
                  "SQLAlchemy, not under the function that awaited them: their share is not in that function's "
                  "figure but in the row \"SQLAlchemy sync layer (greenlet)\". Idle time (waiting on sockets) "
                  "is not sampled, so shares are of the time the process was running Python.", ""]
    if rec.problems:
        lines += ["Profiling problems (the run went on without them): " + "; ".join(rec.problems), ""]
    return lines

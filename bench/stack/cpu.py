"""CPU seconds (user + system, from /proc/<pid>/stat) of each part of the platform, sampled before
and after a scenario, so each part's cost per case can be read off.

- A process counts with its whole process tree, should it ever start workers.
- PostgreSQL: the backends connected to this run's databases plus the server's own processes
  (postmaster, WAL writer, checkpointer...); backends of other databases on the same server are
  someone else's load and are left out.
- RabbitMQ: the broker's beam.smp, shared with whatever else uses this broker (not separable).
A process that exits between two samples takes its CPU time with it; the run keeps its processes
alive from the first sample to the last, so nothing it measures is lost that way.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

TICK = os.sysconf("SC_CLK_TCK")
# "postgres: 15/main: <user> <database> <host>(<port>) <state>" for a client backend;
# "postgres: 15/main: autovacuum worker <database>" for a vacuum of one database.
_BACKEND = re.compile(r"^postgres: (?:[^:]+: )?(?P<user>\S+) (?P<db>\S+) (?:\S+\(\d+\)|\[local\])")
_VACUUM = re.compile(r"^postgres: (?:[^:]+: )?autovacuum worker (?P<db>\S+)")


@dataclass(frozen=True)
class _Proc:
    pid: int
    ppid: int
    comm: str
    cpu_s: float


def _read(path: str) -> bytes | None:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError:
        return None


def _processes() -> dict[int, _Proc]:
    procs = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        raw = _read(f"/proc/{entry}/stat")
        if raw is None:
            continue
        # comm may hold spaces and parentheses: the fields after it start at the last ")".
        close = raw.rindex(b")")
        comm = raw[raw.index(b"(") + 1:close].decode(errors="replace")
        fields = raw[close + 2:].split()
        procs[int(entry)] = _Proc(int(entry), int(fields[1]), comm, (int(fields[11]) + int(fields[12])) / TICK)
    return procs


def _postgres_is_ours(pid: int, databases: frozenset[str]) -> bool:
    cmdline = (_read(f"/proc/{pid}/cmdline") or b"").replace(b"\0", b" ").decode(errors="replace").strip()
    match = _BACKEND.match(cmdline) or _VACUUM.match(cmdline)
    return match is None or match.group("db") in databases


def _tree(root: int, procs: dict[int, _Proc], children: dict[int, list[int]]) -> dict[int, float]:
    found, stack = {}, [root]
    while stack:
        pid = stack.pop()
        if pid in procs:
            found[pid] = procs[pid].cpu_s
            stack.extend(children.get(pid, ()))
    return found


Sample = dict[str, dict[int, float]]  # part -> pid -> CPU seconds so far


class CpuSampler:
    """`sample()` reads the CPU time of every watched part: the named pids (with their children),
    postgres and rabbitmq. `databases` are this run's: their backends count as the platform's."""

    def __init__(self) -> None:
        self.pids: dict[str, int] = {}
        self.databases: set[str] = set()

    def watch(self, name: str, pid: int) -> None:
        self.pids[name] = pid

    def sample(self) -> Sample:
        procs = _processes()
        children: dict[int, list[int]] = {}
        for proc in procs.values():
            children.setdefault(proc.ppid, []).append(proc.pid)
        ours = frozenset(self.databases)
        sample = {name: _tree(pid, procs, children) for name, pid in self.pids.items()}
        sample["postgres"] = {p.pid: p.cpu_s for p in procs.values()
                              if p.comm == "postgres" and _postgres_is_ours(p.pid, ours)}
        sample["rabbitmq"] = {p.pid: p.cpu_s for p in procs.values() if p.comm.startswith("beam")}
        return sample


def delta(before: Sample, after: Sample) -> dict[str, float]:
    """CPU seconds each part used between the samples; a process born in between counts whole."""
    return {part: sum(max(0.0, cpu - before.get(part, {}).get(pid, 0.0)) for pid, cpu in pids.items())
            for part, pids in after.items()}

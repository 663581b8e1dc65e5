"""py-spy recordings of the service processes during one scenario: first a collapsed-stack (raw)
recording for the table of hot functions, then a shorter flame graph (SVG) for the reader. One
recorder per process at a time, so the sampling costs the machine what one py-spy does, not two.

py-spy attaches with ptrace (root here); if it cannot, the run goes on and the report says why.
"""

from __future__ import annotations

import asyncio
import resource
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

RATE_HZ = 50
SVG_MAX_S = 15


@dataclass(frozen=True)
class Windows:
    """Seconds after the scenario's load began: the raw recording, then the SVG recording."""

    raw_start_s: int
    raw_s: int
    svg_start_s: int
    svg_s: int

    @classmethod
    def within(cls, load_s: float) -> "Windows":
        # Past wrk's first second (connections opening), most of the load window raw, the rest of it
        # for the picture; both end before wrk stops, so the drain is not in them.
        lead = max(1, round(0.05 * load_s))
        raw_s = max(2, int(0.55 * load_s))
        svg_s = max(1, min(SVG_MAX_S, int(load_s - lead - raw_s - 2)))
        return cls(lead, raw_s, lead + raw_s + 1, svg_s)


@dataclass
class Recording:
    service: str
    raw: Path
    svg: Path
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and self.raw.exists()


@dataclass
class Recordings:
    windows: Windows
    by_service: dict[str, Recording]
    started_at: float = 0.0  # unix seconds
    pyspy_cpu_s: float = 0.0  # all recorders together

    @property
    def problems(self) -> list[str]:
        return [f"{r.service}: {p}" for r in self.by_service.values() for p in r.problems]


def pyspy_binary() -> str | None:
    # The venv's py-spy first: `make bench` runs outside an activated venv.
    beside = Path(sys.executable).with_name("py-spy")
    return str(beside) if beside.exists() else shutil.which("py-spy")


async def _record(pid: int, seconds: int, fmt: str, out: Path, extra: tuple[str, ...] = ()) -> str | None:
    """One py-spy run; None when it wrote its file, else what went wrong."""
    binary = pyspy_binary()
    if binary is None:
        return "py-spy is not installed"
    try:
        proc = await asyncio.create_subprocess_exec(
            binary, "record", "--pid", str(pid), "--duration", str(seconds), "--rate", str(RATE_HZ),
            "--nonblocking", "--format", fmt, "-o", str(out), *extra,
            stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    except OSError as exc:
        return f"py-spy could not be started: {exc}"
    try:
        output, _ = await asyncio.wait_for(proc.communicate(), seconds + 30)
    except BaseException:
        # Cancelled (Ctrl-C, a failed scenario) or hung: the recorder must not outlive the run.
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
        raise
    if proc.returncode != 0 or not out.exists():
        tail = output.decode(errors="replace").strip().splitlines()[-3:]
        return f"py-spy {fmt} exited with {proc.returncode}: {' / '.join(tail) or 'no output'}"
    return None


async def _one(recording: Recording, pid: int, windows: Windows) -> None:
    await asyncio.sleep(windows.raw_start_s)
    # Full file names, so our own modules can be told from the libraries' by path.
    problem = await _record(pid, windows.raw_s, "raw", recording.raw, ("--full-filenames",))
    if problem:
        recording.problems.append(problem)
    await asyncio.sleep(max(0.0, windows.svg_start_s - windows.raw_start_s - windows.raw_s))
    problem = await _record(pid, windows.svg_s, "flamegraph", recording.svg)
    if problem:
        recording.problems.append(problem)


async def record_all(pids: dict[str, int], out_dir: Path, raw_dir: Path, windows: Windows) -> Recordings:
    """Record every process over the same windows; call it as the load starts."""
    out_dir.mkdir(parents=True, exist_ok=True)
    raw_dir.mkdir(parents=True, exist_ok=True)
    recordings = Recordings(windows, {
        name: Recording(name, raw_dir / f"{name}.raw.txt", out_dir / f"{name}.svg") for name in pids})
    for recording in recordings.by_service.values():
        recording.svg.unlink(missing_ok=True)  # a failed recording must not leave last run's picture
    recordings.started_at = time.time()
    # The recorders are this process's only children reaped in the window (wrk is reaped after it
    # ends, which is later), so the change in RUSAGE_CHILDREN is their CPU.
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    await asyncio.gather(*(_one(r, pids[name], windows) for name, r in recordings.by_service.items()))
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    recordings.pyspy_cpu_s = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return recordings

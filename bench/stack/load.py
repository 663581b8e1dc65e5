"""One wrk run against a loopback URL with load.lua, and what it measured, including wrk's own CPU
time (from wait4, so it is exactly wrk's, whatever else the machine does)."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

SCRIPT = Path(__file__).with_name("load.lua")
TIMEOUT_S = 10  # far above the 2 s target, so slow requests are measured rather than dropped
WRK_THREADS = 1  # one event loop drives hundreds of requests a second; the CPUs are for the platform


@dataclass(frozen=True)
class Load:
    tag: str  # the external_ref prefix of every case this run files
    connections: int
    duration_s: float
    rate: float = 0.0  # cases/s over all connections; 0 = full speed


@dataclass(frozen=True)
class LoadResult:
    load: Load
    requests: int
    duration_s: float
    statuses: dict[int, int]
    errors: dict[str, int]
    latency_ms: dict[str, float]
    over_2s: int  # completed after more than 2 s, plus timeouts
    cpu_s: float
    started_at: float  # unix seconds, the same clock as the services' timestamps
    ended_at: float
    refused_samples: tuple[str, ...] = ()  # a few answers other than 201, status first

    @property
    def created(self) -> int:
        return self.statuses.get(201, 0)

    @property
    def non_201(self) -> int:
        """Answers other than 201 (wrk counts every answer as a request)."""
        return self.requests - self.created

    @property
    def unanswered(self) -> int:
        """Timeouts and socket errors: requests that got no answer at all."""
        return sum(self.errors.values()) - self.errors.get("status", 0)

    @property
    def created_per_s(self) -> float:
        return self.created / self.duration_s if self.duration_s else 0.0

    @property
    def cpu_share(self) -> float:
        """wrk's CPU time as a fraction of one core over the run."""
        return self.cpu_s / self.duration_s if self.duration_s else 0.0


def wrk_binary() -> str:
    path = shutil.which("wrk")
    if path is None:
        raise SystemExit("wrk is not installed: `make bench` installs it (apt-get install -y wrk)")
    return path


def _loopback_only(url: str) -> None:
    if urlsplit(url).hostname not in ("127.0.0.1", "localhost", "::1"):
        raise ValueError(f"refusing to load {url}: only loopback addresses may be targeted")


def _run_blocking(command: list[str], env: dict[str, str], log_path: Path) -> tuple[int, float]:
    with open(log_path, "ab") as log:
        proc = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True)
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        except BaseException:
            proc.kill()
            proc.wait()
            raise
        proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, usage.ru_utime + usage.ru_stime


async def run_wrk(url: str, load: Load, bodies: Path, work_dir: Path, key_prefix: str) -> LoadResult:
    _loopback_only(url)
    result_path = work_dir / f"wrk-{load.tag}.json"
    env = {**os.environ, "BENCH_BODIES": str(bodies), "BENCH_RESULT": str(result_path), "BENCH_TAG": load.tag,
           "BENCH_KEY_PREFIX": key_prefix, "BENCH_RATE": str(load.rate), "BENCH_THREADS": str(WRK_THREADS)}
    command = [wrk_binary(), f"-t{WRK_THREADS}", f"-c{load.connections}", f"-d{load.duration_s:g}s",
               f"--timeout={TIMEOUT_S}s", "--latency", "-s", str(SCRIPT), url]
    started_at = time.time()
    code, cpu_s = await asyncio.to_thread(_run_blocking, command, env, work_dir / "wrk.log")
    ended_at = time.time()
    if code != 0 or not result_path.exists():
        raise RuntimeError(f"wrk failed with {code}; see {work_dir / 'wrk.log'}")
    data = json.loads(result_path.read_text())
    latency = {k: v / 1000 for k, v in data["latency_us"].items()}
    refused = Path(f"{result_path}.refused")
    lines = refused.read_text(errors="replace").splitlines() if refused.exists() else []
    samples = tuple(line for line in lines if line)
    return LoadResult(load=load, requests=data["requests"], duration_s=data["duration_us"] / 1e6,
                      statuses={int(k): v for k, v in data["statuses"].items()}, errors=data["errors"],
                      latency_ms=latency, over_2s=data["over_2s"] + data["errors"]["timeout"], cpu_s=cpu_s,
                      started_at=started_at, ended_at=ended_at, refused_samples=samples)

"""Keeps a set of processes running: one that dies is started again after a pause that grows while
it keeps dying (1 s, 2 s, 4 s ... 30 s; back to 1 s once it has run 30 s), its output kept.

`make run-distributed` runs the services under it (composition/distributed.py), so a crash drill can
SIGKILL any of them: the others keep serving and the killed one comes back. Each child runs in a
session of its own, so a Ctrl-C in the terminal reaches only the supervisor, which then stops them
all in order (SIGTERM, and SIGKILL after a grace period).

Every line a child writes goes to the terminal prefixed with its name and is appended to
`<log_dir>/<name>.log`, across restarts; the supervisor's own notes (exits, restarts) go to both.
`<log_dir>/supervisor.json` names each child's current pid and restart count (the chaos drill reads
it to know whom to kill).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

INITIAL_BACKOFF_S = 1.0
MAX_BACKOFF_S = 30.0
# A child that ran this long before dying is not crash-looping: its next restart waits the least.
STABLE_AFTER_S = 30.0


@dataclass
class Program:
    name: str
    argv: list[str]
    env: dict[str, str]
    cwd: Path | None = None


@dataclass
class _Child:
    program: Program
    proc: subprocess.Popen | None = None
    started_at: float = 0.0
    restarts: int = 0
    quick_deaths: int = 0
    restart_at: float | None = None
    reader: threading.Thread | None = None
    log: IO[bytes] | None = field(default=None, repr=False)


def _describe_exit(code: int) -> str:
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exited with {code}"


class Supervisor:
    def __init__(self, programs: list[Program], *, log_dir: Path, out: IO[str] | None = None,
                 initial_backoff: float = INITIAL_BACKOFF_S, max_backoff: float = MAX_BACKOFF_S,
                 stable_after: float = STABLE_AFTER_S) -> None:
        self.log_dir = log_dir
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.out = out or sys.stdout
        self.initial_backoff, self.max_backoff, self.stable_after = initial_backoff, max_backoff, stable_after
        self.children = {p.name: _Child(p) for p in programs}
        self._write_lock = threading.Lock()
        self.stopping = threading.Event()

    # -- output -------------------------------------------------------------------------------------
    def _emit(self, name: str, line: bytes, log: IO[bytes] | None) -> None:
        with self._write_lock:
            if log is not None:
                log.write(line if line.endswith(b"\n") else line + b"\n")
                log.flush()
            self.out.write(f"{name:<15}| {line.decode('utf-8', 'replace').rstrip()}\n")
            self.out.flush()

    def note(self, child: _Child, message: str) -> None:
        self._emit("supervisor", f"{child.program.name}: {message}".encode(), child.log)

    def _pump(self, child: _Child, stream: IO[bytes]) -> None:
        for line in iter(stream.readline, b""):
            self._emit(child.program.name, line, child.log)
        stream.close()

    # -- lifecycle ----------------------------------------------------------------------------------
    def _spawn(self, child: _Child) -> None:
        program = child.program
        if child.log is None:
            child.log = open(self.log_dir / f"{program.name}.log", "ab")
        child.proc = subprocess.Popen(program.argv, env=program.env, cwd=program.cwd, stdout=subprocess.PIPE,
                                      stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        child.started_at = time.monotonic()
        child.restart_at = None
        child.reader = threading.Thread(target=self._pump, args=(child, child.proc.stdout), daemon=True,
                                        name=f"log:{program.name}")
        child.reader.start()
        self.note(child, f"started, pid {child.proc.pid}" + (f" (restart {child.restarts})" if child.restarts else ""))
        self._write_state()

    def _write_state(self) -> None:
        state = {name: {"pid": c.proc.pid if c.proc else None, "restarts": c.restarts,
                        "running": bool(c.proc and c.proc.poll() is None)}
                 for name, c in self.children.items()}
        path = self.log_dir / "supervisor.json"
        temporary = path.with_suffix(".json.tmp")
        temporary.write_text(json.dumps(state, indent=1))
        os.replace(temporary, path)

    def start(self) -> None:
        for child in self.children.values():
            self._spawn(child)

    def check(self) -> None:
        """One round: note children that died and schedule them; start those whose pause is over."""
        now = time.monotonic()
        for child in self.children.values():
            if self.stopping.is_set():
                return
            proc = child.proc
            if proc is not None and child.restart_at is None and proc.poll() is not None:
                ran = now - child.started_at
                child.quick_deaths = 0 if ran >= self.stable_after else child.quick_deaths + 1
                delay = min(self.max_backoff, self.initial_backoff * 2 ** max(0, child.quick_deaths - 1))
                child.restart_at = now + delay
                if child.reader is not None:
                    child.reader.join(2)  # its last lines first, then the note
                self.note(child, f"{_describe_exit(proc.returncode)} after {ran:.1f} s; restarting in {delay:.0f} s")
                self._write_state()
            elif child.restart_at is not None and now >= child.restart_at:
                child.restarts += 1
                self._spawn(child)

    def run(self, poll_seconds: float = 0.2) -> None:
        """Start everything and keep it running until `stopping` is set (by a signal), then stop all."""
        self.start()
        try:
            while not self.stopping.wait(poll_seconds):
                self.check()
        finally:
            self.stop_all()

    def stop_all(self, grace: float = 10.0) -> None:
        """SIGTERM to every child at once (each takes a moment to close its links), SIGKILL after
        `grace` seconds to any still running."""
        self.stopping.set()
        running = [c.proc for c in self.children.values() if c.proc is not None and c.proc.poll() is None]
        for proc in running:
            proc.terminate()
        deadline = time.monotonic() + grace
        for proc in running:
            try:
                proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
        for child in self.children.values():
            if child.reader is not None:
                child.reader.join(2)
            if child.proc is not None:
                self.note(child, f"stopped ({_describe_exit(child.proc.returncode)})")
            if child.log is not None:
                child.log.close()
                child.log = None
        self._write_state()

    def install_signal_handlers(self) -> None:
        """Ctrl-C and SIGTERM stop everything (the children are in sessions of their own)."""
        def stop(*_args) -> None:
            self.stopping.set()

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)

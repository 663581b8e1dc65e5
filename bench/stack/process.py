"""A child process of the benchmark with its output in a log file: started in its own session so a
Ctrl-C in the terminal reaches only the benchmark, which then stops its children in order."""

from __future__ import annotations

import socket
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench.stack.waiting import poll_until

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Child:
    """`python -m <args> --port <port>`: every child of the benchmark serves HTTP on a free port."""

    name: str
    args: list[str]
    env: dict[str, str]
    log_path: Path
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def start(self) -> "Child":
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen([sys.executable, "-m", *self.args, "--port", str(self.port)], cwd=ROOT,
                                         env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, start_new_session=True)
        return self

    def terminate(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()

    def stop(self, grace: float = 10.0) -> None:
        if not self.proc or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(grace)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)

    def exit_note(self) -> str | None:
        """How the process ended, if it did: a child that dies under load must fail the run, not skew it."""
        if self.proc and self.proc.poll() is not None:
            return f"{self.name} exited with {self.proc.returncode}; see {self.log_path}"
        return None

    def raise_if_exited(self) -> None:
        note = self.exit_note()
        if note:
            raise RuntimeError(note)

    async def wait_ready(self, path: str = "/readyz", timeout: float = 60.0) -> None:
        async with httpx.AsyncClient() as client:
            async def status() -> int | None:
                self.raise_if_exited()
                try:
                    return (await client.get(f"{self.url}{path}", timeout=2)).status_code
                except httpx.HTTPError:
                    return None

            _, last = await poll_until(status, lambda code: code == 200, timeout, every_s=0.25)
        if last != 200:
            raise TimeoutError(f"{self.name} not ready after {timeout:.0f} s (last answer {last}); see {self.log_path}")


def stop_all(children: list[Child]) -> None:
    """Signal every child first, then wait: each takes a moment to close its broker and database links."""
    for child in children:
        child.terminate()
    for child in reversed(children):
        child.stop()


def run_step(args: list[str], env: dict[str, str], log_path: Path, timeout: float = 180.0) -> None:
    """A set-up command (migrate, seed) exactly as an operator runs it; its output goes to the log."""
    with open(log_path, "ab") as log:
        result = subprocess.run([sys.executable, "-m", *args], cwd=ROOT, env=env, stdout=log,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, timeout=timeout)
    if result.returncode != 0:
        raise RuntimeError(f"python -m {' '.join(args)} failed ({result.returncode}); see {log_path}")

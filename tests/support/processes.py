"""The services as separate OS processes, as they run in production: `python -m composition.run <name>`."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.support.tcp_proxy import free_port

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class ServiceProcess:
    name: str
    port: int
    env: dict[str, str]
    log_path: Path
    proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([sys.executable, "-m", "composition.run", self.name, "--port", str(self.port)],
                                     cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)

    def kill(self) -> None:
        """SIGKILL: no shutdown, no cleanup, like a node that died."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)

    async def wait_ready(self, timeout: float = 40.0) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        async with httpx.AsyncClient() as client:
            while loop.time() < deadline:
                if self.proc and self.proc.poll() is not None:
                    raise RuntimeError(f"{self.name} exited with {self.proc.returncode}; log: {self.log_path}")
                try:
                    if (await client.get(f"{self.url}/readyz", timeout=2)).status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.2)
        raise TimeoutError(f"{self.name} not ready after {timeout}s; log: {self.log_path}")


@dataclass
class Cluster:
    env: dict[str, str]
    log_dir: Path
    services: dict[str, ServiceProcess] = field(default_factory=dict)

    def __getitem__(self, name: str) -> ServiceProcess:
        return self.services[name]

    def run_step(self, *args: str) -> None:
        """A set-up command (migrate, seed) exactly as an operator runs it."""
        result = subprocess.run([sys.executable, "-m", *args], cwd=ROOT, env=self.env, capture_output=True,
                                text=True, timeout=120)
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")

    async def start(self, names=("intake", "routing", "mediation", "notify")) -> None:
        for name in names:
            service = ServiceProcess(name, free_port(), self.env, self.log_dir / f"{name}.log")
            self.services[name] = service
            service.start()
        for name in names:
            await self.services[name].wait_ready()

    def stop(self) -> None:
        for service in self.services.values():  # all at once: each takes a moment to close its broker link
            if service.proc and service.proc.poll() is None:
                service.proc.terminate()
        for service in self.services.values():
            service.stop()


def cluster_env(database_urls: dict[str, str], bus_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INTAKE_", "ROUTING_", "MEDIATION_", "NOTIFY_"))}
    env.update({"BUS_URL": bus_url, "APP_ENV": "test", "PYTHONUNBUFFERED": "1", "OUTBOX_POLL_SECONDS": "0.1",
                "CONSUMER_RETRY_DELAY_MS": "200"})
    for name, url in database_urls.items():
        env[f"{name.upper()}_DATABASE_URL"] = url
    env.update(extra)
    return env

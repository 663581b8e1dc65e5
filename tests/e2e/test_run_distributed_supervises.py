"""`make run-distributed` supervises (composition/distributed.py): a SIGKILLed service comes back by
itself with its log kept, the platform keeps routing, and SIGINT (Ctrl-C) stops every process."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import uuid

import httpx
import pytest

from tests.e2e.test_distributed import CLERK, assert_routed_exactly_once, wait_all_routed
from tests.support import infra
from tests.support.cases import case_body
from tests.support.processes import ROOT, cluster_env
from tests.support.tcp_proxy import free_port

pytestmark = pytest.mark.e2e


async def _ready(client: httpx.AsyncClient, url: str) -> bool:
    try:
        return (await client.get(f"{url}/readyz", timeout=2)).status_code == 200
    except httpx.HTTPError:
        return False


async def _until(predicate, timeout: float, what: str) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        if await predicate():
            return
        await asyncio.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}")


async def test_a_killed_service_is_restarted_and_ctrl_c_stops_all(pg_urls, rabbit_vhost, tmp_path):
    ports = {name: free_port() for name in ("intake", "routing", "mediation", "notify", "intake-worker")}
    env = cluster_env(pg_urls, infra.amqp_url(rabbit_vhost), COURT_SIMULATOR_PORT=str(free_port()),
                      DISTRIBUTED_LOG_DIR=str(tmp_path),
                      **{f"{n.upper().replace('-', '_')}_PORT": str(p) for n, p in ports.items()})
    env.pop("NOTIFY_COURT_ENDPOINT", None)
    urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    supervisor = subprocess.Popen([sys.executable, "-m", "composition.distributed"], cwd=ROOT, env=env,
                                  stdout=open(tmp_path / "terminal.log", "wb"), stderr=subprocess.STDOUT,
                                  stdin=subprocess.DEVNULL)
    state_file = tmp_path / "supervisor.json"
    try:
        async with httpx.AsyncClient(timeout=30) as client:
            for name, url in urls.items():
                await _until(lambda: _ready(client, url), 120, f"{name} ready")
            before = json.loads(state_file.read_text())
            os.kill(before["routing"]["pid"], signal.SIGKILL)

            async def restarted() -> bool:
                state = json.loads(state_file.read_text())
                return state["routing"]["restarts"] == 1 and state["routing"]["running"]

            await _until(restarted, 30, "routing restarted")
            await _until(lambda: _ready(client, urls["routing"]), 60, "routing ready again")
            after = json.loads(state_file.read_text())
            assert after["routing"]["pid"] != before["routing"]["pid"]
            others = ("intake", "intake-worker", "mediation", "notify")
            assert {n: after[n]["pid"] for n in others} == {n: before[n]["pid"] for n in others}
            routing_log = (tmp_path / "routing.log").read_text()
            assert "killed by SIGKILL" in routing_log and routing_log.count("started, pid") == 2

            answer = await client.post(f"{urls['intake']}/v1/cases", json=case_body(),
                                       headers={**CLERK, "Idempotency-Key": str(uuid.uuid4())})
            assert answer.status_code == 201
            await wait_all_routed(pg_urls, [answer.json()["id"]], timeout=60)
            await assert_routed_exactly_once(pg_urls, [answer.json()["id"]])

        supervisor.send_signal(signal.SIGINT)
        assert supervisor.wait(30) == 0
        final = json.loads(state_file.read_text())
        assert not any(entry["running"] for entry in final.values())
        for entry in final.values():
            with pytest.raises(ProcessLookupError):
                os.kill(entry["pid"], 0)
    finally:
        if supervisor.poll() is None:
            supervisor.send_signal(signal.SIGINT)
            try:
                supervisor.wait(30)
            except subprocess.TimeoutExpired:
                supervisor.kill()

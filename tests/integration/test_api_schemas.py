"""schemathesis against every service's OpenAPI document (#13 acceptance 1): the four services run
as separate processes on PostgreSQL and RabbitMQ, as in production, and schemathesis (its CLI, with
every check on) sends each operation its examples, its coverage probes (boundary values, missing
and wrongly typed parameters, NUL bytes, unexpected methods) and generated valid and invalid data,
each request with the token of the next role in turn (tests/support/schemathesis_roles.py) or with
none. The run must end with 0 server errors and 0 schema violations.

One choice, said here: `positive_data_acceptance` also accepts 422. A JSON Schema cannot say what
the services check beyond it (a resident ID's check digit, the fields a stage requires, a time
within the years the database holds), so schema-valid data is still refused there, with
problem+json naming the field. No check accepts a 5xx.

The number of examples per operation is bounded (SCHEMATHESIS_EXAMPLES, default 10) and the seed
fixed (SCHEMATHESIS_SEED), so the run takes about a minute and repeats itself; raise the one and
vary the other for a deeper search.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import infra
from tests.support.processes import Cluster, cluster_env

SERVICES = ("intake", "routing", "mediation", "notify")
EXAMPLES = os.environ.get("SCHEMATHESIS_EXAMPLES", "10")
SEED = os.environ.get("SCHEMATHESIS_SEED", "13")
ROOT = Path(__file__).resolve().parents[2]

CONFIG_TOML = """
[checks.positive_data_acceptance]
expected-statuses = ["2xx", "401", "403", "404", "409", "422"]
"""


@pytest.fixture(scope="module")
def cluster_urls(tmp_path_factory):
    """The four services as processes on fresh PostgreSQL databases and a fresh RabbitMQ vhost."""
    loop = asyncio.new_event_loop()
    databases = {name: loop.run_until_complete(infra.create_database(f"t_st_{name}")) for name in SERVICES}
    vhost = loop.run_until_complete(infra.create_vhost())
    log_dir = tmp_path_factory.mktemp("schemathesis-cluster")  # kept by pytest: the logs of a failure
    env = cluster_env({name: infra.pg_url(db) for name, db in databases.items()}, infra.amqp_url(vhost),
                      RATE_LIMIT_PER_MINUTE="1000000", RATE_LIMIT_BURST="100000", LOG_LEVEL="WARNING")
    env.pop("NOTIFY_COURT_ENDPOINT", None)
    cluster = Cluster(env=env, log_dir=log_dir)
    try:
        cluster.run_step("composition.migrate")
        cluster.run_step("composition.seed")
        loop.run_until_complete(cluster.start(SERVICES))
        yield {name: cluster[name].url for name in SERVICES}
        for name in SERVICES:  # a crash, rather than a 5xx answer, would show only here
            assert cluster[name].proc.poll() is None, f"{name} died; log: {cluster[name].log_path}"
    finally:
        cluster.stop()
        for db in databases.values():
            loop.run_until_complete(infra.drop_database(db))
        loop.run_until_complete(infra.delete_vhost(vhost))
        loop.close()


def _schemathesis(url: str, workdir: Path) -> subprocess.Popen:
    workdir.mkdir()
    (workdir / "schemathesis.toml").write_text(CONFIG_TOML)
    env = {**os.environ, "SCHEMATHESIS_HOOKS": "tests.support.schemathesis_roles", "PYTHONPATH": str(ROOT)}
    command = [str(Path(sys.executable).parent / "st"), "--config-file", str(workdir / "schemathesis.toml"), "run",
               f"{url}/openapi.json", "--checks", "all", "--phases", "examples,coverage,fuzzing",
               "--max-examples", EXAMPLES, "--seed", SEED, "--generation-allow-x00", "true",
               # one worker: hypothesis' lambda descriptions (ast.parse) are not thread-safe on Python 3.11
               "--workers", "1", "--no-color", "--request-timeout", "30",
               "--report", "junit", "--report-junit-path", str(workdir / "junit.xml")]
    return subprocess.Popen(command, cwd=workdir, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def test_every_operation_of_every_service_passes_every_check(cluster_urls, tmp_path):
    # The four runs at once: each waits on its service most of the time.
    runs = {name: _schemathesis(cluster_urls[name], tmp_path / name) for name in SERVICES}
    failed = []
    for name, run in runs.items():
        output, _ = run.communicate(timeout=600)
        report = (tmp_path / name / "junit.xml").read_text() if (tmp_path / name / "junit.xml").exists() else ""
        if run.returncode != 0 or "<testcase" not in report:  # a failure, or nothing was tested
            failed.append(f"===== {name} (exit {run.returncode}) =====\n{output[-15000:]}")
    assert not failed, "schemathesis found problems:\n" + "\n".join(failed)

"""A service run as two processes (`--role api` and `--role worker`, composition/run.py): the API's
process serves the routes and runs no relay nor consumer; the worker's serves only operations and runs
them. Built without starting: nothing here connects to a server."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from composition.distributed import programs
from composition.run import build_app

PG_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/not_connected"


def _paths(app) -> set[str]:
    return set(app.openapi()["paths"])


@pytest.fixture
def intake_on_postgresql(monkeypatch):
    monkeypatch.setenv("INTAKE_DATABASE_URL", PG_URL)
    monkeypatch.setenv("BUS_URL", "memory://")


@pytest.mark.parametrize("role, api, ops", [("all", True, True), ("api", True, False), ("worker", False, True)])
def test_each_role_serves_its_part(intake_on_postgresql, role, api, ops):
    app, _port, _host = build_app(["intake"], role)
    paths = _paths(app)
    assert ("/v1/cases" in paths) is api
    assert ("/v1/ops/intake/outbox" in paths) is ops
    assert {"/healthz", "/readyz", "/metrics"} <= paths
    runtime = app.state.runtimes["intake"]
    assert runtime.runs_workers is (role != "api")
    # only the API's process announces its commits: the relay is elsewhere
    assert (runtime.outbox.announce_channel is not None) is (role == "api")


def test_split_roles_are_refused_on_sqlite(monkeypatch, tmp_path):
    monkeypatch.setenv("INTAKE_DATABASE_URL", f"sqlite:///{tmp_path}/intake.db")
    with pytest.raises(ValidationError, match="needs PostgreSQL"):
        build_app(["intake"], "api")


def test_run_distributed_runs_intake_as_api_and_worker():
    found = {program.name: program.argv for program in programs({"INTAKE_WORKER_PORT": "8105"})}
    assert set(found) == {"court-simulator", "intake", "intake-worker", "routing", "mediation", "notify"}
    assert found["intake"][-2:] == ["--role", "api"]
    assert found["intake-worker"][-4:] == ["--role", "worker", "--port", "8105"]
    assert "--role" not in found["routing"]

"""An integrator's first hour: generate a Python client from the platform's /openapi.json (port 8000's
single API surface) with openapi-python-client, then file a case and read it back through the
client's typed models, and check what the document promises besides: security schemes, roles,
problem+json errors, the webhooks partner systems receive."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path

import httpx

from shared.events import EVENT_TYPES
from tests.support.cases import case_body
from tests.support.platform import running

GENERATOR = Path(sys.executable).with_name("openapi-python-client")
CONFIG = "project_name_override: courtmed-client\npackage_name_override: courtmed_client\npost_hooks: []\n"


def _generate(document: dict, where: Path) -> None:
    (where / "openapi.json").write_text(json.dumps(document), encoding="utf-8")
    (where / "config.yaml").write_text(CONFIG, encoding="utf-8")
    done = subprocess.run([str(GENERATOR), "generate", "--path", "openapi.json", "--output-path", "courtmed_client",
                           "--meta", "none", "--config", "config.yaml"], cwd=where, capture_output=True, text=True,
                          timeout=180)
    assert done.returncode == 0, done.stdout + done.stderr
    # every model of the clerk's and the partner's paths came through (the generator drops a schema it
    # cannot read, with a warning)
    for model in ("CaseCreate", "CaseCreated", "CaseView", "ProblemDetails"):
        assert f"Unable to process schema /components/schemas/{model}" not in done.stdout


async def test_a_generated_client_files_a_case_and_reads_it_back_typed(sqlite_urls, tmp_path, monkeypatch):
    async with running(sqlite_urls) as p:
        document = (await p.client.get("/openapi.json")).json()
        _generate(document, tmp_path)
        monkeypatch.syspath_prepend(str(tmp_path))
        client_pkg = importlib.import_module("courtmed_client")
        create_case = importlib.import_module("courtmed_client.api.cases.create_case")
        get_case = importlib.import_module("courtmed_client.api.cases.get_case")
        models = importlib.import_module("courtmed_client.models")

        client = client_pkg.AuthenticatedClient(
            base_url="http://courtmed.test", token=p.token("clerk", court_code="370202"),
            httpx_args={"transport": httpx.ASGITransport(app=p.app)})
        async with client as c:
            created = await create_case.asyncio_detailed(
                client=c, body=models.CaseCreate.from_dict(case_body()), idempotency_key="generated-1")
            assert created.status_code == 201, created.content
            assert isinstance(created.parsed, models.CaseCreated)
            assert created.parsed.status.value == "received" and created.parsed.court_code == "370202"
            await p.settle()
            case = await get_case.asyncio(client=c, case_id=created.parsed.id)
            assert isinstance(case, models.CaseView), case
            assert case.status.value == "routed" and case.partner_id
            assert isinstance(case.parties[0], models.PartyView) and case.parties[0].id_number == "370202198001011232"
            assert [item.type_ for item in case.timeline][:2] == ["case.received", "case.routed"]

            refused = await get_case.asyncio_detailed(client=c, case_id="00000000-0000-4000-8000-000000000000")
            assert refused.status_code == 404 and isinstance(refused.parsed, models.ProblemDetails)


async def test_the_document_states_security_roles_problems_and_webhooks(sqlite_urls):
    async with running(sqlite_urls) as p:
        document = (await p.client.get("/openapi.json")).json()
    schemes = document["components"]["securitySchemes"]
    assert schemes["bearerAuth"]["scheme"] == "bearer" and set(schemes) == {"bearerAuth", "sessionCookie"}
    # The web client's cookie is named for readers, but /ui/ is not the API: no operation takes it.
    assert schemes["sessionCookie"]["in"] == "cookie"
    assert "sessionCookie" not in json.dumps([op.get("security") for item in document["paths"].values()
                                              for op in item.values()])
    create = document["paths"]["/v1/cases"]["post"]
    assert create["operationId"] == "create_case" and create["security"] == [{"bearerAuth": []}]
    assert "Roles: `clerk`." in create["description"]
    for code in ("401", "403", "409", "422", "429", "500"):
        assert create["responses"][code]["content"]["application/problem+json"]["schema"]["$ref"] \
            == "#/components/schemas/ProblemDetails", code
    assert "HTTPValidationError" not in json.dumps(document)
    assert document["paths"]["/healthz"]["get"]["security"] == []
    assert set(document["webhooks"]) == set(EVENT_TYPES)
    assert all(tag.get("description") for tag in document["tags"])

"""Every operation's success answer is described: each service's OpenAPI document (and the merged one of
`make run`) gives a JSON schema with properties for every 2xx body, so a generated client gets typed
models, not a bare object (#14). The operations probes are the platform's, not the API's."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.platform import running

PROBES = {"/healthz", "/readyz", "/metrics"}
NO_BODY = {"204"}


def _described(schema: dict[str, Any], schemas: dict[str, Any]) -> bool:
    """An object with declared properties, through $ref and every branch of a union."""
    if "$ref" in schema:
        return _described(schemas[schema["$ref"].rsplit("/", 1)[-1]], schemas)
    branches = schema.get("anyOf") or schema.get("oneOf")
    if branches:
        return all(_described(branch, schemas) for branch in branches)
    return bool(schema.get("properties"))


def undescribed(document: dict[str, Any]) -> list[str]:
    schemas = document.get("components", {}).get("schemas", {})
    missing = []
    for path, item in document["paths"].items():
        if path in PROBES:
            continue
        for method, operation in item.items():
            successes = {code: answer for code, answer in operation["responses"].items() if code.startswith("2")}
            if not successes:
                missing.append(f"{method.upper()} {path}: no 2xx answer")
            for code, answer in successes.items():
                if code in NO_BODY:
                    continue
                schema = (answer.get("content") or {}).get("application/json", {}).get("schema") or {}
                if not _described(schema, schemas):
                    missing.append(f"{method.upper()} {path} {code}: {schema}")
    return missing


@pytest.mark.parametrize("services", [("intake",), ("routing",), ("mediation",), ("notify",),
                                      ("intake", "routing", "mediation", "notify")], ids="+".join)
async def test_every_success_answer_has_a_schema(sqlite_urls, services):
    async with running({name: sqlite_urls[name] for name in services}, seed=False) as p:
        document = (await p.client.get("/openapi.json")).json()
    assert len(document["paths"]) > 3
    assert undescribed(document) == []


async def test_the_web_clients_cookie_is_named_but_no_operation_takes_it(sqlite_urls):
    async with running({"mediation": sqlite_urls["mediation"]}, seed=False) as p:
        document = (await p.client.get("/openapi.json")).json()
    cookie = document["components"]["securitySchemes"]["sessionCookie"]
    assert cookie["type"] == "apiKey" and cookie["in"] == "cookie" and cookie["name"] == "courtmed_ui"
    assert "bearer tokens only" in cookie["description"]
    assert not any(path.startswith("/ui") for path in document["paths"])
    securities = [operation.get("security") for item in document["paths"].values() for operation in item.values()]
    assert all(scheme != [{"sessionCookie": []}] and "sessionCookie" not in str(scheme) for scheme in securities)


def test_a_bare_object_is_not_a_description():
    schemas = {"Case": {"type": "object", "properties": {"id": {"type": "string"}}}}
    assert _described({"$ref": "#/components/schemas/Case"}, schemas)
    assert not _described({"type": "object", "additionalProperties": True}, schemas)
    assert not _described({}, schemas)
    assert not _described({"anyOf": [{"$ref": "#/components/schemas/Case"}, {}]}, schemas)

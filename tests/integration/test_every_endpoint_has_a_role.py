"""Security is part of every feature: every API route refuses a request without a valid token."""

from __future__ import annotations

import re

from tests.support.platform import running

# Routes that are public by design: operations probes, the API description, the web client's sign-in
# and the court-system simulator that stands in for the court in local runs.
PUBLIC = re.compile(r"^/(healthz|readyz|metrics|openapi\.json|docs|redoc|ui/login|court-simulator)")


async def test_every_api_route_answers_401_without_a_token(sqlite_urls):
    async with running(sqlite_urls) as p:
        # The OpenAPI document lists every route the clients can call, whatever the router nesting.
        routes = {path: {m.upper() for m in ops} for path, ops in p.app.openapi()["paths"].items()
                  if not PUBLIC.match(path)}
        assert len(routes) > 20
        for template, methods in routes.items():
            path = re.sub(r"\{[^}]+\}", "00000000-0000-0000-0000-000000000000", template)
            for method in methods:
                bare = await p.client.request(method, path)
                forged = await p.client.request(method, path, headers={"Authorization": "Bearer not.a.token"})
                if path.startswith("/ui"):
                    assert bare.status_code in (401, 303), (method, template, bare.status_code)
                    continue
                assert bare.status_code == 401, (method, template, bare.status_code)
                assert forged.status_code == 401, (method, template, forged.status_code)
                assert bare.headers["content-type"].startswith("application/problem+json")


async def test_a_runaway_caller_gets_429_with_retry_after(sqlite_urls):
    async with running({"routing": sqlite_urls["routing"]},
                       settings={"routing": {"rate_limit_per_minute": 60, "rate_limit_burst": 5}}) as p:
        headers = p.auth("ops")
        answers = [await p.client.get("/v1/partners", headers=headers) for _ in range(7)]
        other = await p.client.get("/v1/partners", headers=p.auth("partner", partner_id="P12"))
    assert [a.status_code for a in answers[:5]] == [200] * 5
    assert answers[6].status_code == 429
    assert int(answers[6].headers["retry-after"]) >= 1
    assert answers[6].headers["content-type"].startswith("application/problem+json")
    assert other.status_code == 200

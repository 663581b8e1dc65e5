"""The authorization matrix (#13 acceptance 3): every route of every service's OpenAPI document and
every route of the mediators' web client, called by clerk A and B (two courts), partner A and B,
mediator A and B (two partners), ops and nobody, against resources that belong to A. What each
may get is declared once, in MATRIX; a route that is not there fails the test, so a new route
cannot escape the matrix. Every answer a B principal is allowed to get is also searched for A's
identifiers: a list that leaks another tenant's case fails as surely as a wrong status.

Legend, one character per principal in PRINCIPALS order:
  Y  allowed: the request passes authentication, role and scope (any answer but 401/403/404/5xx;
     a 409 or 422 means the action reached its own rules);
  4  404: the resource is not this caller's, and its existence is not revealed;
  3  403: the role may not do this;
  1  not signed in: 401 for the API; for the web client, the redirect to the sign-in page
     (a bearer token means nothing to it; it knows only its own session cookie).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from contextlib import AsyncExitStack
from typing import Any

import httpx
from fastapi.routing import iter_route_contexts
from starlette.routing import Mount

from tests.support.cases import case_body
from tests.support.platform import running
from tests.support.principals import CLAIMS

PRINCIPALS = (*CLAIMS, "none")
B_SIDE = ("clerk B", "partner B", "mediator B")

PUBLIC = "YYYYYYYY"
OPS = "333333Y1"
ANY_ROLE = "YYYYYYY1"
STAFF_ON_A = "33Y4Y4Y1"      # partner or mediator of A's partner, or ops
ACT_ON_A = "33Y4Y431"        # what the partner's people do on A's case; ops oversee, they do not mediate
PARTNER_ON_A = "33Y433Y1"    # A's partner system, or ops
WEB_SIGNED_IN = "1111Y11" + "1"  # the workbench: a mediator's session
WEB_ON_A = "1111Y41" + "1"       # the workbench on A's case: B's mediator is told it does not exist

# (method, path template) -> the expected answer of each principal. Comments say why a row differs.
MATRIX: dict[tuple[str, str], str] = {
    ("GET", "/healthz"): PUBLIC,
    ("GET", "/readyz"): PUBLIC,
    ("GET", "/metrics"): PUBLIC,
    # intake: clerks file for their own court only; ops reads everything
    ("POST", "/v1/cases"): "Y3333331",
    ("GET", "/v1/cases"): "YY3333Y1",
    ("POST", "/v1/cases/batch"): "YY333331",  # clerk B: 200, with court A's case refused as that item's 403
    ("GET", "/v1/cases/{case_id}"): "Y43333Y1",
    ("POST", "/v1/cases/{case_id}/withdraw"): "Y4333331",
    # routing
    ("GET", "/v1/partners"): ANY_ROLE,
    ("GET", "/v1/partners/{partner_id}"): ANY_ROLE,
    ("PATCH", "/v1/partners/{partner_id}"): OPS,
    ("GET", "/v1/routing/rules"): ANY_ROLE,
    ("PUT", "/v1/routing/rules"): OPS,
    ("GET", "/v1/routing/decisions/{case_id}"): "Y4Y433Y1",  # the court's clerk and the chosen partner
    ("POST", "/v1/routing/simulate"): OPS,
    ("POST", "/v1/routing/choices/{case_id}"): "Y43333Y1",  # the parties' joint choice: the court's clerk or ops
    ("GET", "/v1/routing/choices/{case_id}"): "Y43333Y1",
    # mediation
    ("GET", "/v1/mediations"): "33YYYYY1",
    ("GET", "/v1/mediations/{case_id}"): STAFF_ON_A,
    ("POST", "/v1/mediations/{case_id}/accept"): ACT_ON_A,
    ("POST", "/v1/mediations/{case_id}/decline"): ACT_ON_A,
    ("POST", "/v1/mediations/{case_id}/mediator"): STAFF_ON_A,
    ("POST", "/v1/mediations/{case_id}/contacts"): ACT_ON_A,
    ("POST", "/v1/mediations/{case_id}/sessions"): ACT_ON_A,
    ("POST", "/v1/mediations/{case_id}/extensions"): ACT_ON_A,
    ("POST", "/v1/mediations/{case_id}/pause"): ACT_ON_A,
    ("POST", "/v1/mediations/{case_id}/resume"): ACT_ON_A,
    ("POST", "/v1/mediations/{case_id}/outcome"): ACT_ON_A,
    ("POST", "/v1/mediations/{case_id}/undisputed-facts"): ACT_ON_A,
    ("POST", "/v1/mediations/{case_id}/close"): "333434Y1",  # ops only; B's staff still meet the 404 first
    ("GET", "/v1/stats"): "33YY33Y1",
    ("GET", "/v1/calendar/years"): ANY_ROLE,
    ("GET", "/v1/calendar/years/{year}"): ANY_ROLE,
    ("PUT", "/v1/calendar/years/{year}"): OPS,
    # notify: a partner's own endpoints and deliveries; hand-offs to the court's clerks
    ("POST", "/v1/webhook-endpoints"): "33YY33Y1",
    ("GET", "/v1/webhook-endpoints"): "33YY33Y1",
    ("GET", "/v1/webhook-endpoints/{endpoint_id}"): PARTNER_ON_A,
    ("DELETE", "/v1/webhook-endpoints/{endpoint_id}"): PARTNER_ON_A,
    ("POST", "/v1/webhook-endpoints/{endpoint_id}/rotate-secret"): PARTNER_ON_A,
    ("POST", "/v1/webhook-endpoints/{endpoint_id}/enable"): PARTNER_ON_A,
    ("GET", "/v1/deliveries"): "33YY33Y1",
    ("GET", "/v1/deliveries/{delivery_id}"): PARTNER_ON_A,
    ("POST", "/v1/deliveries/{delivery_id}/retry"): PARTNER_ON_A,
    ("POST", "/v1/deliveries/replay"): "33YY33Y1",
    ("GET", "/v1/handoffs"): "YYYY33Y1",
    ("GET", "/v1/handoffs/{handoff_id}"): "Y44433Y1",  # an unroutable case's hand-off: court A's alone
    # the web client (services/mediation/web): public sign-in, then the mediator's own cases only
    ("GET", "/ui/login"): PUBLIC,
    ("POST", "/ui/login"): "11111111",  # a wrong password for everyone: 401
    ("GET", "/ui/static/workbench.css"): PUBLIC,
    ("GET", "/ui/"): PUBLIC,  # only a redirect, to today's page or to the sign-in
    ("GET", "/ui/password"): WEB_SIGNED_IN[:5] + "Y11",
    ("POST", "/ui/password"): WEB_SIGNED_IN[:5] + "Y11",
    ("POST", "/ui/logout"): "1111YY11",
    ("GET", "/ui/today"): "1111YY11",
    ("GET", "/ui/cases"): "1111YY11",
    ("GET", "/ui/cases/{case_id}"): WEB_ON_A,
    ("POST", "/ui/cases/{case_id}/accept"): WEB_ON_A,
    ("POST", "/ui/cases/{case_id}/decline"): WEB_ON_A,
    ("POST", "/ui/cases/{case_id}/mediator"): WEB_ON_A,
    ("POST", "/ui/cases/{case_id}/contact"): WEB_ON_A,
    ("POST", "/ui/cases/{case_id}/session"): WEB_ON_A,
    ("POST", "/ui/cases/{case_id}/pause"): WEB_ON_A,
    ("POST", "/ui/cases/{case_id}/resume"): WEB_ON_A,
    ("POST", "/ui/cases/{case_id}/extend"): WEB_ON_A,
    ("POST", "/ui/cases/{case_id}/outcome"): WEB_ON_A,
}
# Each service's outbox operations (part of #13): ops only. No row is parked here, so replaying an
# unknown event is ops' 404 and everyone else's 403.
for _service in ("intake", "routing", "mediation", "notify"):
    MATRIX[("GET", f"/v1/ops/{_service}/outbox")] = OPS
    MATRIX[("GET", f"/v1/ops/{_service}/outbox/parked")] = OPS
    MATRIX[("POST", f"/v1/ops/{_service}/outbox/parked/{{event_id}}/replay")] = "33333341"

# Not API routes: FastAPI's own documentation pages, and the court-system simulator that stands in
# for the court in local runs (mounted as an app of its own).
OUTSIDE = {("GET", "/openapi.json"), ("GET", "/docs"), ("GET", "/docs/oauth2-redirect"), ("GET", "/redoc"),
           ("*", "/court-simulator")}


def every_route(app) -> set[tuple[str, str]]:
    """Every (method, template) the app serves: the OpenAPI document's and those it leaves out."""
    routes = {(method.upper(), path) for path, item in app.openapi()["paths"].items() for method in item}
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, Mount):
            routes.add(("*", route.path))
            continue
        for method in (getattr(context, "methods", None) or getattr(route, "methods", None) or ()):
            if method != "HEAD":
                routes.add((method, context.path_format or route.path_format))
    return routes


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    return found.group(1) if found else ""


async def _web_session(app, mediator_id: str) -> tuple[httpx.AsyncClient, str]:
    """A client signed in to the workbench as this mediator (the first sign-in sets the password)."""
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")
    answer = await client.post("/ui/login", data={"mediator_id": mediator_id, "password": "mediator-demo"})
    assert answer.status_code == 303, answer.text
    if answer.headers["location"] == "/ui/password":
        new = "矩阵-Matrix-2026-pass"
        form = await client.get("/ui/password")
        chosen = await client.post("/ui/password", data={"csrf": _csrf(form.text), "current_password": "mediator-demo",
                                                         "new_password": new, "repeat_password": new})
        assert chosen.status_code == 303, chosen.text
    return client, _csrf((await client.get("/ui/today")).text)


class World:
    """A's resources (court 370202, partner P01) and B's, built through the API as clients would."""

    def __init__(self, p) -> None:
        self.p = p
        self.ids: dict[str, str] = {}

    async def build(self) -> None:
        p = self.p
        for who, partner in (("partner A", "P01"), ("partner B", "P02")):
            made = await p.client.post("/v1/webhook-endpoints", headers=p.auth(**CLAIMS[who]),
                                       json={"url": f"http://127.0.0.1:9/{partner}", "event_types": ["case.routed"]})
            assert made.status_code == 201, made.text
            self.ids[f"endpoint {who[-1]}"] = made.json()["id"]
        filings = {"case A": ("clerk A", case_body(category="neighbour", preferred_partner_id="P01")),
                   "case B": ("clerk B", case_body(court_code="370203", district="370203", category="neighbour",
                                                   preferred_partner_id="P02")),
                   "unroutable A": ("clerk A", case_body(parties=[
                       {**case_body()["parties"][0], "consents_to_mediation": False}, case_body()["parties"][1]]))}
        for name, (who, body) in filings.items():
            made = await p.client.post("/v1/cases", json=body,
                                       headers={**p.auth(**CLAIMS[who]), "Idempotency-Key": name})
            assert made.status_code == 201, made.text
            self.ids[name] = made.json()["id"]
        await p.settle()
        ops = p.auth("ops")
        decisions = (await p.client.get(f"/v1/routing/decisions/{self.ids['case A']}", headers=ops)).json()
        assert decisions["items"][-1]["partner_id"] == "P01", decisions
        deliveries = (await p.client.get("/v1/deliveries", params={"endpoint_id": self.ids["endpoint A"]},
                                         headers=ops)).json()["items"]
        assert deliveries, "no delivery to partner A's endpoint"
        self.ids["delivery A"] = deliveries[0]["id"]
        handoffs = (await p.client.get("/v1/handoffs", params={"case_id": self.ids["unroutable A"]},
                                       headers=ops)).json()["items"]
        assert handoffs, "no hand-off for the unroutable case"
        self.ids["handoff A"] = handoffs[0]["id"]

    async def path_value(self, name: str, method: str, template: str) -> str:
        if name == "endpoint_id" and method == "DELETE":  # each deletion gets an endpoint of its own
            made = await self.p.client.post("/v1/webhook-endpoints", headers=self.p.auth("ops"), json={
                "url": "http://127.0.0.1:9/del", "event_types": ["case.routed"], "partner_id": "P01"})
            return made.json()["id"]
        values = {"case_id": self.ids["case A"], "partner_id": "P01", "endpoint_id": self.ids["endpoint A"],
                  "delivery_id": self.ids["delivery A"], "handoff_id": self.ids["handoff A"],
                  "event_id": str(uuid.uuid4()), "year": "2026"}
        return values[name]

    def a_identifiers(self) -> list[str]:
        return [self.ids[k] for k in ("case A", "unroutable A", "endpoint A", "delivery A", "handoff A")]


async def _body(p, method: str, template: str, csrf: str) -> dict[str, Any]:
    """What each request carries: a valid body, so that a scope refusal is not hidden behind a 422."""
    if template.startswith("/ui/"):
        form = {"csrf": csrf, "reason": "案情不符", "mediator_id": "P01-M01", "mediator_id_confirm": "P01-M01",
                "channel": "phone", "online": "on", "days": "5", "result": "withdrawn", "note": "矩阵"}
        if template == "/ui/login":  # an unknown account, a new one each time (wrong passwords are throttled)
            form = {"mediator_id": f"P09-M{uuid.uuid4().int % 90 + 10}", "password": "wrong-password"}
        return {"data": form}
    bodies: dict[tuple[str, str], Callable[[], Any] | Any] = {
        ("POST", "/v1/cases"): case_body(external_ref=f"M-{uuid.uuid4().hex[:8]}"),
        ("POST", "/v1/cases/batch"): {"items": [{"idempotency_key": f"m-{uuid.uuid4().hex}", "case": case_body()}]},
        ("POST", "/v1/cases/{case_id}/withdraw"): {"reason": "申请人撤回"},
        ("PATCH", "/v1/partners/{partner_id}"): {"capacity": 80},
        ("POST", "/v1/routing/simulate"): case_body(),
        ("POST", "/v1/routing/choices/{case_id}"): {"partner_id": "P01"},
        ("POST", "/v1/mediations/{case_id}/decline"): {"reason": "案情不符"},
        ("POST", "/v1/mediations/{case_id}/mediator"): {"mediator_id": "P01-M01"},
        ("POST", "/v1/mediations/{case_id}/contacts"): {"party_id": str(uuid.uuid4()), "channel": "phone"},
        ("POST", "/v1/mediations/{case_id}/sessions"): {"scheduled_at": "2030-01-07T09:00:00+08:00", "online": True},
        ("POST", "/v1/mediations/{case_id}/extensions"): {"days": 5, "consents": [str(uuid.uuid4())]},
        ("POST", "/v1/mediations/{case_id}/outcome"): {"result": "withdrawn", "note": "矩阵"},
        ("POST", "/v1/mediations/{case_id}/undisputed-facts"): {"facts": [{"text": "借款属实",
                                                                           "signed_by": [str(uuid.uuid4())]}]},
        ("POST", "/v1/webhook-endpoints"): {"url": "http://127.0.0.1:9/new", "event_types": ["case.routed"]},
        ("POST", "/v1/deliveries/replay"): {"since": "2026-01-01T00:00:00+08:00"},
    }
    if (method, template) == ("PUT", "/v1/routing/rules"):
        return {"json": (await p.client.get("/v1/routing/rules", headers=p.auth("ops"))).json()}
    if (method, template) == ("PUT", "/v1/calendar/years/{year}"):
        return {"json": (await p.client.get("/v1/calendar/years/2026", headers=p.auth("ops"))).json()}
    body = bodies.get((method, template))
    return {} if body is None else {"json": body}


def _outcome(status: int, location: str, web: bool) -> str:
    if web and status == 303 and location.startswith("/ui/login"):
        return "1"
    if status == 401:
        return "1"
    if status in (403, 404):
        return str(status)[-1]
    return "Y" if status < 500 else f"5xx({status})"


async def test_every_route_answers_every_principal_as_the_matrix_declares(sqlite_urls):
    async with running(sqlite_urls) as p, AsyncExitStack() as stack:
        served = every_route(p.app)
        unlisted = sorted(served - set(MATRIX) - OUTSIDE)
        assert not unlisted, f"routes missing from the authorization matrix: {unlisted}"
        gone = sorted(set(MATRIX) - served)
        assert not gone, f"routes in the matrix that no service serves any more: {gone}"

        world = World(p)
        await world.build()
        web = {}
        for who, mediator in (("mediator A", "P01-M01"), ("mediator B", "P02-M01")):
            client, csrf = await _web_session(p.app, mediator)
            stack.push_async_callback(client.aclose)
            web[who] = (client, csrf)
        secrets = world.a_identifiers()

        wrong: list[str] = []
        # A's own destructive calls (withdraw, outcome, close) last, so the others meet A's case open.
        order = sorted(MATRIX, key=lambda key: key[1].endswith(("/withdraw", "/outcome", "/close", "/logout")))
        for method, template in order:
            expected = MATRIX[(method, template)]
            is_web = template.startswith("/ui/")
            for principal, want in zip(PRINCIPALS, expected):
                path = template
                for name in re.findall(r"\{(\w+)\}", template):
                    path = path.replace(f"{{{name}}}", await world.path_value(name, method, template))
                client, headers, csrf = p.client, {}, ""
                if is_web and principal in web:
                    client, csrf = web[principal]
                elif principal in CLAIMS:
                    headers = p.auth(**CLAIMS[principal])
                if method == "POST" and template in ("/v1/cases", "/v1/mediations/{case_id}/sessions"):
                    headers["Idempotency-Key"] = uuid.uuid4().hex
                if template == "/ui/logout" and principal in web:
                    continue  # signing out would end the session the rows after it need; tested below
                kwargs = await _body(p, method, template, csrf)
                answer = await client.request(method, path, headers=headers, follow_redirects=False, **kwargs)
                got = _outcome(answer.status_code, answer.headers.get("location", ""), is_web)
                if got != want:
                    wrong.append(f"{method} {template} as {principal}: expected {want}, got {got} "
                                 f"({answer.status_code} {answer.text[:160]})")
                if got == "Y" and principal in B_SIDE:
                    leaked = [s for s in secrets if s in answer.text]
                    if leaked:
                        wrong.append(f"{method} {template} as {principal} shows A's {leaked}")
        # signing out ends the session: the workbench then sends the mediator to sign in
        client, csrf = web["mediator A"]
        assert (await client.post("/ui/logout", data={"csrf": csrf})).status_code == 303
        after = await client.get("/ui/today", follow_redirects=False)
        assert after.status_code == 303 and after.headers["location"].startswith("/ui/login")
        assert not wrong, f"{len(wrong)} answers differ from the matrix:\n" + "\n".join(wrong)

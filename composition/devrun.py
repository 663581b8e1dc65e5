"""`make run`: set up and serve the whole platform in one process on http://127.0.0.1:8000.

SQLite files under var/, the in-process bus, the roster and demo accounts loaded. Prints the URL and
a request to paste.
"""

from __future__ import annotations

import asyncio
import os
import shlex

import uvicorn

from composition.registry import SERVICES, settings_for
from composition.seed import seed
from shared.auth import issue_token
from shared.migrations import upgrade

HOST, PORT = "127.0.0.1", 8000

EXAMPLE_CASE = """{
  "court_code": "370202", "external_ref": "SN-2026-000123", "stage": "pre_filing",
  "category": "property_service", "summary": "物业费纠纷", "claim_amount": "12500.00", "district": "370202",
  "parties": [
    {"role": "applicant", "kind": "person", "name": "张三", "id_number": "370202198001011232",
     "phone": "13800000000", "consents_to_mediation": true},
    {"role": "respondent", "kind": "organization", "name": "青岛某物业服务有限公司",
     "id_number": "91370200MA3C00000K", "consents_to_mediation": true}
  ]
}"""


def _example(token: str) -> str:
    base = f"http://{HOST}:{PORT}"
    return "\n".join([
        f"courtmed is serving on {base}  (API docs: {base}/docs, mediator client: {base}/ui/)",
        "",
        "Create a case (paste this):",
        f"  curl -s -X POST {base}/v1/cases -H 'Authorization: Bearer {token}' \\",
        "    -H 'Content-Type: application/json' -H \"Idempotency-Key: $(date +%s%N)\" \\",
        f"    -d {shlex.quote(EXAMPLE_CASE)}",
        "",
        "Then read it back (use the id from the answer):",
        f"  curl -s {base}/v1/cases/<id> -H 'Authorization: Bearer {token}'",
        "",
        "More tokens: make token ROLE=ops | ROLE=partner PARTNER=P24 | ROLE=mediator PARTNER=P24 MEDIATOR=P24-M01",
    ])


def main() -> None:
    os.environ.setdefault("APP_ENV", "development")
    os.environ.setdefault("BUS_URL", "memory://")
    for name in SERVICES:
        upgrade(name, settings_for(name).database_url)
    asyncio.run(seed(list(SERVICES), demo=True))  # the demo password: make run only
    from composition.run import build_app

    app, _port, _host = build_app(list(SERVICES))
    settings = settings_for("intake")
    token = issue_token(settings.jwt_secret, role="clerk", court_code="370202", issuer=settings.jwt_issuer)
    print(_example(token), flush=True)
    uvicorn.run(app, host=HOST, port=PORT, log_config=None, access_log=False)


if __name__ == "__main__":
    main()

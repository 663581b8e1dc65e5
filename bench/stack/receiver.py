"""The partners' side of the webhooks: verifies every delivery's Standard Webhooks signature against
the secret of the partner it was addressed to, answers 204 (or 401 for a bad signature, so notify
retries it) and appends one line per delivery to a file the benchmark reads:

    arrival (unix seconds)  partner  webhook-id  case id  event type  verified (1/0)

A bare ASGI callable on uvicorn: no framework, so the receiver costs the machine as little as it can.

    python -m bench.stack.receiver --secrets FILE --out FILE --port P
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import uvicorn
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

HOOKS = "/hooks/"


def _record_fields(body: bytes) -> tuple[str, str]:
    try:
        document = json.loads(body)
        return str(document.get("data", {}).get("case_id", "")), str(document.get("type", ""))
    except (ValueError, AttributeError):
        return "", ""


def make_app(secrets: dict[str, str], out_path: Path):
    verifiers = {partner: Webhook(secret) for partner, secret in secrets.items()}
    # Line-buffered: the benchmark polls the file to see the pipeline drain.
    out = open(out_path, "a", encoding="utf-8", buffering=1)

    async def respond(send, status: int) -> None:
        await send({"type": "http.response.start", "status": status, "headers": [(b"content-length", b"0")]})
        await send({"type": "http.response.body", "body": b""})

    async def app(scope, receive, send) -> None:
        if scope["type"] == "lifespan":
            while (message := await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            out.close()
            await send({"type": "lifespan.shutdown.complete"})
            return
        path = scope["path"]
        if path == "/healthz":
            return await respond(send, 200)
        chunks = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        arrival = time.time()
        partner = path[len(HOOKS):] if path.startswith(HOOKS) else ""
        verifier = verifiers.get(partner)
        if scope["method"] != "POST" or verifier is None:
            return await respond(send, 404)
        body = b"".join(chunks)
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        try:
            verifier.verify(body, headers, json_parse=False)
            ok = True
        except WebhookVerificationError:
            ok = False
        case_id, event_type = _record_fields(body)
        out.write(f"{arrival:.6f}\t{partner}\t{headers.get('webhook-id', '')}\t{case_id}\t{event_type}\t{int(ok)}\n")
        await respond(send, 204 if ok else 401)

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--secrets", type=Path, required=True, help="JSON {partner id: whsec_...}")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    secrets = json.loads(args.secrets.read_text(encoding="utf-8"))
    uvicorn.run(make_app(secrets, args.out), host="127.0.0.1", port=args.port, loop="uvloop", http="httptools",
                log_level="warning", access_log=False, lifespan="on")


if __name__ == "__main__":
    main()

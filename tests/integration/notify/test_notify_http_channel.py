"""Notify's outbound HTTP against real local servers: the signed body byte for byte, what the
delivery log keeps of an answer, redirects not followed, failures as results, cookies never kept,
and a pinned https address verified against the name it stands for."""

import asyncio
import datetime as dt
import ipaddress
import json
import socket
import ssl
from datetime import datetime

import aiohttp
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from standardwebhooks.webhooks import Webhook
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from services.notify.channels.http_delivery import MAX_LOGGED_BODY, outbound_client, post_json
from services.notify.channels.pinned import pinned_request
from services.notify.channels.safe_url import CheckedTarget
from services.notify.domain.retry import Verdict
from services.notify.domain.signing import new_secret, sign
from tests.integration.notify.support import serve
from tests.support.platform import running


def answering(respond) -> Starlette:
    """An app whose every POST is recorded in `app.state.seen` and answered by `respond(request, body)`."""
    async def endpoint(request: Request) -> Response:
        body = await request.body()
        app.state.seen.append((request, body))
        return await respond(request, body)

    app = Starlette(routes=[Route("/{path:path}", endpoint, methods=["POST"])])
    app.state.seen = []
    return app


async def test_signed_body_arrives_byte_for_byte_and_verifies():
    secret = new_secret()
    body = json.dumps({"type": "case.routed", "data": {"partner": "市南区人民调解中心"}}, ensure_ascii=False)

    async def verify(request, raw):
        Webhook(secret).verify(raw, dict(request.headers))
        return Response(status_code=204)

    app = answering(verify)
    headers = sign([secret], "msg_1", datetime.now(dt.UTC), body)
    async with serve(app) as base, outbound_client(5.0, connections=10) as client:
        result = await post_json(client, f"{base}/hooks", body, headers)
    assert (result.status_code, result.error, result.verdict) == (204, None, Verdict.SUCCESS)
    [(request, raw)] = app.state.seen
    assert raw.decode() == body and request.headers["content-type"] == "application/json"


async def test_failure_status_retry_after_and_a_truncated_body_are_recorded():
    async def unavailable(request, raw):
        return PlainTextResponse("网" * 5000, status_code=503, headers={"Retry-After": "30"})

    async with serve(answering(unavailable)) as base, outbound_client(5.0, connections=10) as client:
        result = await post_json(client, f"{base}/", "{}", {})
    assert result.status_code == 503 and result.retry_after == "30" and result.verdict is Verdict.RETRY
    assert len(result.response_body.encode()) <= MAX_LOGGED_BODY and result.response_body.startswith("网" * 300)


async def test_redirect_is_not_followed():
    async def redirect(request, raw):
        return Response(status_code=307, headers={"Location": f"{request.base_url}elsewhere"})

    app = answering(redirect)
    async with serve(app) as base, outbound_client(5.0, connections=10) as client:
        result = await post_json(client, f"{base}/hooks", "{}", {})
    assert result.status_code == 307 and result.verdict is Verdict.RETRY
    assert [request.url.path for request, _ in app.state.seen] == ["/hooks"]


async def test_cookies_a_receiver_sets_are_never_sent_back():
    async def set_cookie(request, raw):
        return Response(status_code=200, headers={"Set-Cookie": "session=partner-a; Path=/"})

    app = answering(set_cookie)
    async with serve(app) as base, outbound_client(5.0, connections=10) as client:
        await post_json(client, f"{base}/a", "{}", {})
        await post_json(client, f"{base}/b", "{}", {})
    assert [request.headers.get("cookie") for request, _ in app.state.seen] == [None, None]


async def test_a_refused_connection_is_a_result_not_an_exception():
    with socket.socket() as sock:  # a port nothing listens on once this closes
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    async with outbound_client(5.0, connections=10) as client:
        result = await post_json(client, f"http://127.0.0.1:{port}/hooks", "{}", {})
    assert (result.status_code, result.error, result.verdict) == (None, "ConnectError", Verdict.RETRY)


async def test_a_receiver_slower_than_the_timeout_is_a_timeout():
    async def slow(request, raw):
        await asyncio.sleep(2)
        return Response(status_code=200)

    async with serve(answering(slow)) as base, outbound_client(5.0, connections=10) as client:
        result = await post_json(client, f"{base}/hooks", "{}", {}, timeout=0.3)
    assert result.status_code is None and result.error in ("ReadTimeout", "Timeout")
    assert result.verdict is Verdict.RETRY and result.duration_ms < 1500


@pytest.fixture(scope="module")
def hooks_certificate(tmp_path_factory) -> dict[str, str]:
    """A CA and a certificate for hooks.example.com signed by it (files for uvicorn and the client)."""
    folder = tmp_path_factory.mktemp("tls")
    now = dt.datetime.now(dt.UTC)

    def issue(subject: str, key, issuer: str, issuer_key, *, ca: bool) -> x509.Certificate:
        builder = (x509.CertificateBuilder()
                   .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
                   .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
                   .public_key(key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
                   .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
        if not ca:
            builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(subject)]), critical=False)
        return builder.sign(issuer_key, hashes.SHA256())

    ca_key, leaf_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = issue("courtmed test CA", ca_key, "courtmed test CA", ca_key, ca=True)
    leaf = issue("hooks.example.com", leaf_key, "courtmed test CA", ca_key, ca=False)
    files = {"ca": folder / "ca.pem", "cert": folder / "cert.pem", "key": folder / "key.pem"}
    files["ca"].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    files["cert"].write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    files["key"].write_bytes(leaf_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                    serialization.NoEncryption()))
    return {name: str(path) for name, path in files.items()}


async def test_a_pinned_https_address_is_verified_against_its_name(hooks_certificate):
    async def ok(request, raw):
        return Response(status_code=204)

    app = answering(ok)
    trusted = ssl.create_default_context(cafile=hooks_certificate["ca"])
    async with serve(app, ssl_certfile=hooks_certificate["cert"], ssl_keyfile=hooks_certificate["key"]) as base:
        port = int(base.rsplit(":", 1)[1])
        name = CheckedTarget(f"https://hooks.example.com:{port}/in", "hooks.example.com", port,
                             (ipaddress.ip_address("127.0.0.1"),))
        other = CheckedTarget(f"https://other.example.com:{port}/in", "other.example.com", port,
                              (ipaddress.ip_address("127.0.0.1"),))
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=trusted)) as client:
            results = []
            for target in (name, other, name):
                pinned = pinned_request(target)
                results.append(await post_json(client, pinned.url, "{}", pinned.headers,
                                               server_hostname=pinned.server_hostname))
    assert [(r.status_code, r.error) for r in results] == [(204, None), (None, "CertificateError"), (204, None)]
    assert [request.headers["host"] for request, _ in app.state.seen] == [f"hooks.example.com:{port}"] * 2


async def test_the_runtime_pool_has_room_for_every_worker_at_once(sqlite_urls):
    """Webhooks, hand-offs and SMS each attempt up to NOTIFY_WORKER_CONCURRENCY at once; a request
    waiting for a free connection would spend its timeout before reaching the receiver."""
    settings = {"notify": {"worker_concurrency": 7, "worker_batch_size": 7}}
    async with running({"notify": sqlite_urls["notify"]}, settings=settings) as p:
        client = p.runtimes["notify"].http
        assert client is not None and client.connector is not None
        assert client.connector.limit == 21 and client.connector.limit_per_host == 0
        assert isinstance(client.cookie_jar, aiohttp.DummyCookieJar)

"""The project's shared package: pure parts, no I/O."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from shared.auth import decode_token, issue_token
from shared.bus import InMemoryBus
from shared.bus.base import retry_delays_ms
from shared.events import Envelope
from shared.logging import redact_text
from shared.problems import Problem, field_path
from shared.settings import DEV_JWT_SECRET, ServiceSettings, async_database_url


def test_redaction_masks_id_numbers_phones_emails_and_secrets():
    text = "张三 370202198001011232 13800000000 +8613912345678 a.b@example.com whsec_QUJD Bearer abc.def.ghi"
    out = redact_text(text)
    for secret in ("370202198001011232", "13800000000", "13912345678", "a.b@example.com", "whsec_QUJD", "abc.def.ghi"):
        assert secret not in out
    assert "张三" in out


@pytest.mark.parametrize("loc,path", [
    (("body", "parties", 1, "id_number"), "parties[1].id_number"),
    (("body", "court_code"), "court_code"),
    (("query", "limit"), "limit"),
    (("body",), "body"),
])
def test_field_path(loc, path):
    assert field_path(loc) == path


def test_problem_body_is_rfc9457():
    body = Problem(409, "already settled").body()
    assert body == {"type": "https://courtmed.example/problems/conflict", "title": "Conflict", "status": 409,
                    "detail": "already settled"}


def test_tokens_carry_role_and_binding_and_expire():
    token = issue_token(DEV_JWT_SECRET, role="clerk", court_code="370202")
    principal = decode_token(DEV_JWT_SECRET, token)
    assert (principal.role, principal.court_code) == ("clerk", "370202")
    expired = issue_token(DEV_JWT_SECRET, role="ops", ttl=timedelta(seconds=-1))
    with pytest.raises(Problem) as refused:
        decode_token(DEV_JWT_SECRET, expired)
    assert refused.value.status == 401
    with pytest.raises(Problem):
        decode_token("another-secret-that-is-long-enough-000", token)
    with pytest.raises(ValueError):
        issue_token(DEV_JWT_SECRET, role="mediator", partner_id="P12")  # names no mediator


def test_a_verified_token_is_taken_again_without_verifying_until_it_expires(monkeypatch):
    import shared.auth as auth

    verified: list[str] = []
    verify = auth._verify
    monkeypatch.setattr(auth, "_verify", lambda *args: verified.append(args[1]) or verify(*args))
    token = issue_token(DEV_JWT_SECRET, role="partner", partner_id="P07", ttl=timedelta(seconds=60))
    first = decode_token(DEV_JWT_SECRET, token)
    assert decode_token(DEV_JWT_SECRET, token) == first
    assert verified == [token]
    # past its expiry it is verified again (which PyJWT refuses): keeping it never stretches its life
    later = auth.time.time() + 61
    monkeypatch.setattr(auth.time, "time", lambda: later)
    decode_token(DEV_JWT_SECRET, token)
    assert verified == [token, token]


def test_only_verified_tokens_are_kept_and_the_oldest_goes_first():
    import shared.auth as auth

    kept = auth._Verified(size=2)
    tokens = [issue_token(DEV_JWT_SECRET, role="ops") for _ in range(3)]
    for token in tokens:
        principal, expires_at = auth._verify(DEV_JWT_SECRET, token, "courtmed")
        kept.keep((DEV_JWT_SECRET, "courtmed", token), principal, expires_at)
    assert kept.get((DEV_JWT_SECRET, "courtmed", tokens[0])) is None
    assert kept.get((DEV_JWT_SECRET, "courtmed", tokens[2])) is not None
    forged = tokens[1][:-2] + ("AA" if not tokens[1].endswith("AA") else "BB")
    with pytest.raises(Problem):
        decode_token(DEV_JWT_SECRET, forged)
    with pytest.raises(Problem):  # refused again: a refusal is not kept as a pass
        decode_token(DEV_JWT_SECRET, forged)


def test_settings_refuse_the_development_secret_in_production():
    with pytest.raises(ValueError):
        ServiceSettings(env="production")
    assert ServiceSettings(env="production", jwt_secret="x" * 40).jwt_secret == "x" * 40


def test_database_urls_are_rewritten_to_async_drivers():
    assert async_database_url("postgresql://u@h/db") == "postgresql+asyncpg://u@h/db"
    assert async_database_url("sqlite:///var/x.db") == "sqlite+aiosqlite:///var/x.db"


def test_retry_delays_grow():
    assert retry_delays_ms(100, 4) == [100, 400, 1600]


async def test_in_memory_bus_retries_then_dead_letters():
    bus = InMemoryBus(max_attempts=3, retry_delay_ms=1)
    calls: list[str] = []
    flaky_failures = {"n": 2}

    async def flaky(envelope: Envelope) -> None:
        calls.append("flaky")
        if flaky_failures["n"]:
            flaky_failures["n"] -= 1
            raise RuntimeError("transient")

    async def broken(envelope: Envelope) -> None:
        raise RuntimeError("always")

    bus.subscribe("q.flaky", ["case.received"], flaky)
    bus.subscribe("q.broken", ["case.received"], broken)
    await bus.start()
    try:
        await bus.publish(Envelope.new("case.received", "c1", "test"))
        for _ in range(100):
            if len(calls) == 3 and bus.dead_letters:
                break
            await asyncio.sleep(0.01)
    finally:
        await bus.close()
    assert calls == ["flaky"] * 3
    assert [q for q, _ in bus.dead_letters] == ["q.broken"]


def test_unknown_event_types_are_refused():
    with pytest.raises(ValueError):
        Envelope.new("case.exploded", "c1", "test")


def test_rate_limiter_allows_a_burst_then_says_how_long_to_wait():
    from shared.ratelimit import RateLimiter

    now = [0.0]
    limiter = RateLimiter(per_minute=60, burst=3, clock=lambda: now[0])
    assert [limiter.take("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    wait = limiter.take("a")
    assert 0.9 < wait <= 1.0 and limiter.retry_after_header(wait) == "1"
    assert limiter.take("b") == 0.0  # another caller has its own bucket
    now[0] += 1.0
    assert limiter.take("a") == 0.0


@pytest.mark.parametrize("claims", [{"role": "clerk"}, {"role": "partner"}, {"role": "mediator", "partner_id": "P12"}])
def test_a_token_without_its_binding_is_refused(claims):
    import jwt
    from datetime import datetime, timezone

    now = datetime.now(timezone.utc)
    token = jwt.encode({"sub": "x", "iss": "courtmed", "iat": now, "exp": now + timedelta(hours=1), **claims},
                       DEV_JWT_SECRET, algorithm="HS256")
    with pytest.raises(Problem) as refused:
        decode_token(DEV_JWT_SECRET, token)
    assert refused.value.status == 401

"""Webhook signing secrets: encrypted at rest, shown once (never on an Idempotency-Key replay, before
or after a rotation), and the encryption key rotated without losing a secret (issue #13 items 5, 8)."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import text

from services.notify.rekey import rekey
from services.notify.settings import Settings
from services.notify.store.sealed import DEV_SECRET_KEY, SecretBox
from tests.support.platform import running

BODY = {"url": "http://127.0.0.1:9/hooks", "event_types": ["case.routed"]}


async def _stored(rt) -> list[tuple[str, str | None]]:
    async with rt.db.read() as session:
        return [(r.secret, r.previous_secret) for r in (await session.execute(
            text("SELECT secret, previous_secret FROM webhook_endpoints ORDER BY created_at")))]


async def test_the_secret_is_stored_encrypted_and_shown_only_once(pg_database):
    async with running({"notify": await pg_database("notify")}) as p:
        rt = p.runtimes["notify"]
        partner = {**p.auth("partner", partner_id="P12"), "Idempotency-Key": "create-1"}
        created = await p.client.post("/v1/webhook-endpoints", headers=partner, json=BODY)
        assert created.status_code == 201
        secret = created.json()["secret"]
        [(stored, previous)] = await _stored(rt)
        assert previous is None and "whsec_" not in stored and secret[6:] not in stored
        assert SecretBox([DEV_SECRET_KEY]).open(stored) == secret

        replayed = await p.client.post("/v1/webhook-endpoints", headers=partner, json=BODY)
        assert replayed.status_code == 201 and replayed.headers["Idempotent-Replayed"] == "true"
        assert replayed.json()["id"] == created.json()["id"]
        assert "secret" not in replayed.json() and secret not in replayed.text

        rotated = await p.client.post(f"/v1/webhook-endpoints/{created.json()['id']}/rotate-secret",
                                      headers=p.auth("partner", partner_id="P12"))
        new_secret = rotated.json()["secret"]
        [(stored, previous)] = await _stored(rt)
        assert SecretBox([DEV_SECRET_KEY]).open(stored) == new_secret
        assert SecretBox([DEV_SECRET_KEY]).open(previous) == secret and "whsec_" not in previous
        again = await p.client.post("/v1/webhook-endpoints", headers=partner, json=BODY)
        assert again.status_code == 201
        assert new_secret not in again.text and secret not in again.text
        shown = await p.client.get(f"/v1/webhook-endpoints/{created.json()['id']}",
                                   headers=p.auth("partner", partner_id="P12"))
        assert "whsec_" not in shown.text


async def test_the_encryption_key_is_rotated_without_losing_a_secret(pg_database):
    url = await pg_database("notify")
    new_key = Fernet.generate_key().decode()
    async with running({"notify": url}) as p:
        first = (await p.client.post("/v1/webhook-endpoints", headers=p.auth("ops"), json=BODY)).json()
        await p.client.post(f"/v1/webhook-endpoints/{first['id']}/rotate-secret", headers=p.auth("ops"))
    # Step 1: the new key first, the old one after it: old rows still open, new writes use the new key.
    async with running({"notify": url}, seed=False,
                       settings={"notify": {"secret_keys": f"{new_key},{DEV_SECRET_KEY}"}}) as p:
        shown = (await p.client.get(f"/v1/webhook-endpoints/{first['id']}", headers=p.auth("ops")))
        assert shown.status_code == 200
        second = (await p.client.post("/v1/webhook-endpoints", headers=p.auth("ops"), json=BODY)).json()
        # Step 2: re-encrypt every row with the new key.
        settings = p.runtimes["notify"].settings
        assert await rekey(settings) == 2
        stored = await _stored(p.runtimes["notify"])
    only_new = SecretBox([new_key])
    assert only_new.open(stored[1][0]) == second["secret"]
    assert all(only_new.open(value) for row in stored for value in row if value)
    # Step 3: the old key dropped; everything still opens and deliveries can be signed.
    async with running({"notify": url}, seed=False, settings={"notify": {"secret_keys": new_key}}) as p:
        listed = (await p.client.get("/v1/webhook-endpoints", headers=p.auth("ops"))).json()["items"]
        assert {e["id"] for e in listed} == {first["id"], second["id"]}


def test_production_needs_its_own_valid_keys():
    production = {"env": "production", "jwt_secret": "x" * 40, "court_simulator": False}
    with pytest.raises(ValueError, match="NOTIFY_SECRET_KEYS must be set"):
        Settings(**production)
    with pytest.raises(ValueError, match="development key"):
        Settings(**production, secret_keys=DEV_SECRET_KEY)
    with pytest.raises(ValueError, match="not a Fernet key"):
        Settings(**production, secret_keys="not-a-key")
    assert Settings(**production, secret_keys=Fernet.generate_key().decode()).secret_key_list

"""The parties' id numbers and phones sealed at rest in intake, found by keyed hash (issue #13 item 8):
the raw rows hold neither, the API shows them as before, the migration seals what was stored in
clear, the keys rotate without losing a row, and a wrong key fails loudly."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import re

import pytest
from alembic import command
from cryptography.fernet import Fernet
from sqlalchemy import select, text

from services.intake.rekey import rekey
from services.intake.store import cases as repo
from services.intake.store.models import Party
from services.intake.store.sealed import DEV_DATA_KEY, DEV_LOOKUP_KEY, PARTY_DATA
from shared.masking import mask_id_number, mask_phone
from shared.migrations import alembic_config, upgrade
from shared.sealed import LookupKey
from tests.support.cases import case_body
from tests.support.platform import running

APPLICANT, PHONE = "370202198001011232", "13912345678"
RESPONDENT = "91370200MA3C00000K"
# Another person, written in clear before the migration (below).
EARLIER, EARLIER_PHONE = "370202198506301120", "13600000000"
CLERK = {"court_code": "370202"}
BEFORE = "3c5e8a1f9d24"  # the revision before the parties were sealed
ID_SHAPE, PHONE_SHAPE = re.compile(r"[0-9A-Z]{18}"), re.compile(r"1\d{10}")


async def database_url(backend: str, pg_database, tmp_path) -> str:
    return await pg_database("intake") if backend == "postgresql" else f"sqlite+aiosqlite:///{tmp_path}/intake.db"


def hmac_hex(key: str, value: str) -> str:
    return hmac.new(key.encode(), value.encode(), hashlib.sha256).hexdigest()


def body(**changes) -> dict:
    filed = case_body(**changes)
    filed["parties"][0]["phone"] = PHONE
    return filed


async def raw_parties(rt) -> list:
    """The parties rows as stored, read with plain SQL (no column type opens them)."""
    async with rt.db.read() as session:
        return list(await session.execute(text("SELECT id, id_number, phone, id_number_hash FROM parties ORDER BY id")))


def assert_sealed(rows, *, key: str, lookup_key: str, plain: dict[str, str | None]) -> None:
    """Every row sealed under `key`, hashed under `lookup_key`, and opening to `plain` (id number -> phone)."""
    box = PARTY_DATA.box_for([key])
    clear = [value for pair in plain.items() for value in pair if value]
    opened = {}
    for row in rows:
        stored = json.dumps(list(row))
        assert not any(value in stored for value in clear), stored
        assert not ID_SHAPE.fullmatch(row.id_number) and not PHONE_SHAPE.fullmatch(row.phone or "")
        id_number = box.open(row.id_number)
        assert row.id_number_hash == hmac_hex(lookup_key, id_number)
        opened[id_number] = box.open(row.phone) if row.phone else None
    assert opened == plain


@pytest.mark.parametrize("backend", ["postgresql", "sqlite"])
async def test_filed_parties_are_sealed_hashed_and_shown_as_before(backend, pg_database, tmp_path):
    data_key, lookup_key = Fernet.generate_key().decode(), "l" * 40
    url = await database_url(backend, pg_database, tmp_path)
    async with running({"intake": url}, settings={"intake": {"data_keys": data_key, "lookup_key": lookup_key}}) as p:
        rt = p.runtimes["intake"]
        clerk = p.auth("clerk", **CLERK)
        filed = await p.client.post("/v1/cases", json=body(), headers={**clerk, "Idempotency-Key": "pii-1"})
        assert filed.status_code == 201, filed.text
        case_id = filed.json()["id"]
        assert_sealed(await raw_parties(rt), key=data_key, lookup_key=lookup_key,
                      plain={APPLICANT: PHONE, RESPONDENT: None})

        # The filing court's clerk sees them in full, ops and the list masked, as before.
        shown = (await p.client.get(f"/v1/cases/{case_id}", headers=clerk)).json()["parties"]
        assert [(s["id_number"], s["phone"]) for s in shown] == [(APPLICANT, PHONE), (RESPONDENT, None)]
        masked = (await p.client.get(f"/v1/cases/{case_id}", headers=p.auth("ops"))).json()["parties"]
        assert [(s["id_number"], s["phone"]) for s in masked] == [(mask_id_number(APPLICANT), mask_phone(PHONE)),
                                                                  (mask_id_number(RESPONDENT), None)]
        listed = (await p.client.get("/v1/cases", headers=clerk)).json()["items"][0]["parties"]
        assert listed[0]["id_number"] == mask_id_number(APPLICANT) and listed[0]["phone"] == mask_phone(PHONE)

        # case.received still carries the plain values to routing, mediation and notify.
        outbox = rt.tables.outbox
        async with rt.db.read() as session:
            payload = json.loads((await session.execute(select(outbox.c.payload))).scalar_one())
        assert [(q["id_number"], q["phone"]) for q in payload["data"]["parties"]] == [(APPLICANT, PHONE),
                                                                                      (RESPONDENT, None)]

        # A lookup by id number goes through the hash: the court's cases with that party, no other court's.
        again = await p.client.post("/v1/cases", json=body(external_ref="SN-2"),
                                    headers={**clerk, "Idempotency-Key": "pii-2"})
        elsewhere = await p.client.post("/v1/cases", json=body(court_code="370203", external_ref="SN-3"),
                                        headers={**p.auth("clerk", court_code="370203"), "Idempotency-Key": "pii-3"})
        assert again.status_code == elsewhere.status_code == 201
        async with rt.db.read() as session:
            found = await repo.cases_of_party(session, rt.party_lookup, court_code="370202", id_number=APPLICANT)
            lower = await repo.cases_of_party(session, rt.party_lookup, court_code="370202",
                                              id_number=RESPONDENT.lower())
            nobody = await repo.cases_of_party(session, rt.party_lookup, court_code="370202", id_number=EARLIER)
        assert [c.id for c in found] == [case_id, again.json()["id"]] == [c.id for c in lower]
        assert nobody == []


@pytest.mark.parametrize("backend", ["postgresql", "sqlite"])
async def test_the_migration_seals_the_rows_stored_in_clear(backend, pg_database, tmp_path):
    url = await database_url(backend, pg_database, tmp_path)
    async with running({"intake": url}) as p:
        filed = await p.client.post("/v1/cases", json=body(), headers={**p.auth("clerk", **CLERK),
                                                                        "Idempotency-Key": "m-1"})
        case_id = filed.json()["id"]
    # Back to the schema before: the values in clear, no hash; one more party written the old way.
    await asyncio.to_thread(command.downgrade, alembic_config("intake", url), BEFORE)
    async with running({"intake": url}, seed=False, migrate_first=False) as p:
        async with p.runtimes["intake"].db.unit_of_work() as session:
            await session.execute(text(
                "INSERT INTO parties (id, case_id, position, role, kind, name, id_number, phone, "
                "consents_to_mediation) VALUES ('p-earlier', :case_id, 2, 'third_party', 'person', '王五', "
                ":id_number, :phone, :yes)"), {"case_id": case_id, "id_number": EARLIER, "phone": EARLIER_PHONE,
                                               "yes": True})
            clear = list(await session.execute(text("SELECT id_number, phone FROM parties ORDER BY position")))
    assert [tuple(row) for row in clear] == [(APPLICANT, PHONE), (RESPONDENT, None), (EARLIER, EARLIER_PHONE)]

    await asyncio.to_thread(upgrade, "intake", url)
    async with running({"intake": url}, seed=False) as p:
        assert_sealed(await raw_parties(p.runtimes["intake"]), key=DEV_DATA_KEY, lookup_key=DEV_LOOKUP_KEY,
                      plain={APPLICANT: PHONE, RESPONDENT: None, EARLIER: EARLIER_PHONE})
        shown = (await p.client.get(f"/v1/cases/{case_id}", headers=p.auth("clerk", **CLERK))).json()["parties"]
        assert [(s["id_number"], s["phone"]) for s in shown] == [(APPLICANT, PHONE), (RESPONDENT, None),
                                                                 (EARLIER, EARLIER_PHONE)]


async def test_the_keys_are_rotated_without_losing_a_party(pg_database):
    url = await pg_database("intake")
    new_key, new_lookup = Fernet.generate_key().decode(), "n" * 40
    async with running({"intake": url}) as p:
        first = (await p.client.post("/v1/cases", json=body(), headers={**p.auth("clerk", **CLERK),
                                                                         "Idempotency-Key": "r-1"})).json()
    # Step 1: the new data key first, the old one after it, and the new lookup key; old rows still open.
    rotating = {"data_keys": f"{new_key},{DEV_DATA_KEY}", "lookup_key": new_lookup}
    async with running({"intake": url}, seed=False, settings={"intake": rotating}) as p:
        clerk = p.auth("clerk", **CLERK)
        shown = (await p.client.get(f"/v1/cases/{first['id']}", headers=clerk)).json()["parties"]
        assert shown[0]["id_number"] == APPLICANT and shown[0]["phone"] == PHONE
        second = (await p.client.post("/v1/cases", json=body(external_ref="SN-2"),
                                      headers={**clerk, "Idempotency-Key": "r-2"})).json()
        # Step 2: every row re-encrypted with the new key and rehashed with the new lookup key.
        rt = p.runtimes["intake"]
        assert await rekey(rt.settings, page=3) == 4  # pages smaller than the table
        stored = await raw_parties(rt)
        async with rt.db.read() as session:
            found = await repo.cases_of_party(session, rt.party_lookup, court_code="370202", id_number=APPLICANT)
        assert [c.id for c in found] == [first["id"], second["id"]]
    only_new = PARTY_DATA.box_for([new_key])
    assert sorted(only_new.open(row.id_number) for row in stored) == sorted([APPLICANT, RESPONDENT] * 2)
    assert all(row.id_number_hash == LookupKey(new_lookup).hash(only_new.open(row.id_number)) for row in stored)
    # Step 3: the old key dropped; everything still opens.
    async with running({"intake": url}, seed=False, settings={"intake": {"data_keys": new_key,
                                                                          "lookup_key": new_lookup}}) as p:
        listed = (await p.client.get("/v1/cases", headers=p.auth("clerk", **CLERK))).json()["items"]
        assert {c["id"] for c in listed} == {first["id"], second["id"]}


async def test_a_wrong_key_fails_loudly(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path}/intake.db"
    async with running({"intake": url}) as p:
        assert (await p.client.post("/v1/cases", json=body(), headers={**p.auth("clerk", **CLERK),
                                                                        "Idempotency-Key": "w-1"})).status_code == 201
    wrong = {"data_keys": Fernet.generate_key().decode()}
    async with running({"intake": url}, seed=False, settings={"intake": wrong}) as p:
        rt = p.runtimes["intake"]
        with pytest.raises(ValueError, match="^a party's id number or phone cannot be decrypted with the configured "
                                             "INTAKE_DATA_KEYS$"):
            async with rt.db.read() as session:
                (await session.execute(select(Party))).scalars().all()
        with pytest.raises(ValueError, match="INTAKE_DATA_KEYS"):
            await rekey(rt.settings)
    # Nothing was rewritten by the refused rekey: the right key still opens every row.
    async with running({"intake": url}, seed=False) as p:
        assert_sealed(await raw_parties(p.runtimes["intake"]), key=DEV_DATA_KEY, lookup_key=DEV_LOOKUP_KEY,
                      plain={APPLICANT: PHONE, RESPONDENT: None})

"""The one Idempotency-Key mechanism (shared/idempotency.py) on both databases: a key is taken once
per scope, a retry gets the first answer, another body under the same key is refused, a rolled-back
claim leaves the key free, and the fingerprint of a body is the one stored before this module
existed (keys stored then still replay)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import MetaData, select

from shared.db import Database
from shared.idempotency import Replay, fingerprint, idempotency_keys, replayed
from shared.problems import Problem

metadata = MetaData()
KEYS = idempotency_keys(metadata)
NOW = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
async def db(request, tmp_path, pg_database):
    url = f"sqlite+aiosqlite:///{tmp_path}/keys.db" if request.param == "sqlite" else await pg_database("keys")
    database = Database(url)
    async with database.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    yield database
    await database.dispose()


def test_the_fingerprint_is_the_stored_one_whatever_the_key_order():
    # sha256 of the body as JSON with sorted keys and UTF-8 text (not \\u escapes): what intake stored
    # before the mechanism was shared; a change here would turn every stored key's retry into a 409.
    assert fingerprint({"b": 1, "a": "张三"}) == "cd0ccdd03e6500c477a8743fd6d38e4b9c7f4a038a85f1a40b0a6ef67582b553"
    assert fingerprint({"a": "张三", "b": 1}) == fingerprint({"b": 1, "a": "张三"})
    assert fingerprint({"a": "张三"}) != fingerprint({"a": "张四"})
    assert fingerprint({"at": NOW}) == fingerprint({"at": str(NOW)})  # times and decimals hash as text


async def test_a_key_is_taken_once_per_scope_and_a_retry_gets_the_first_answer(db):
    async with db.unit_of_work() as session:
        assert await KEYS.claim_many(session, db, "clerk:370202", {"k1": "h1", "k2": "h2"}, NOW) == {}
        await KEYS.remember_many(session, "clerk:370202", [("k1", 201, {"id": "a"}), ("k2", 201, {"id": "b"})])
    async with db.unit_of_work() as session:
        again = await KEYS.claim_many(session, db, "clerk:370202", {"k1": "h1", "k2": "other", "k3": "h3"}, NOW)
        # the same key of another caller is that caller's own
        assert await KEYS.claim(session, db, "clerk:370203", "k1", "h1", NOW) is None
    assert again == {"k1": Replay(201, {"id": "a"}, True), "k2": Replay(201, {"id": "b"}, False)}
    async with db.read() as session:
        rows = (await session.execute(select(KEYS.table.c.scope, KEYS.table.c.key, KEYS.table.c.status_code)
                                      .order_by(KEYS.table.c.scope, KEYS.table.c.key))).all()
    assert [tuple(r) for r in rows] == [("clerk:370202", "k1", 201), ("clerk:370202", "k2", 201),
                                        ("clerk:370202", "k3", 0), ("clerk:370203", "k1", 0)]


async def test_a_rolled_back_claim_leaves_the_key_free(db):
    with pytest.raises(RuntimeError):
        async with db.unit_of_work() as session:
            assert await KEYS.claim(session, db, "ops", "k1", "h1", NOW) is None
            raise RuntimeError("the effect failed")
    async with db.unit_of_work() as session:
        assert await KEYS.claim(session, db, "ops", "k1", "h1", NOW) is None


def test_a_replay_answers_the_first_answer_and_another_body_is_409():
    answer = replayed(Replay(201, {"id": "a"}, True), {"Location": "/v1/x/a"})
    assert answer.status_code == 201 and answer.body == b'{"id":"a"}'
    assert answer.headers["idempotent-replayed"] == "true" and answer.headers["location"] == "/v1/x/a"
    with pytest.raises(Problem) as refused:
        replayed(Replay(201, {"id": "a"}, False))
    assert refused.value.status == 409
    assert refused.value.body() == {
        "type": "https://courtmed.example/problems/conflict", "title": "Conflict", "status": 409,
        "detail": "This Idempotency-Key was used with a different request body.",
        "errors": [{"field": "Idempotency-Key", "message": "reused with another body"}]}


async def test_a_replay_reads_its_own_scopes_answer_not_another_callers(db):
    """Two clerks' systems may pick the same key: each replay answers that caller's first answer."""
    for scope, answer in (("clerk:370202", {"id": "a"}), ("clerk:370203", {"id": "b"})):
        async with db.unit_of_work() as session:
            assert await KEYS.claim(session, db, scope, "shared-key", f"hash-{scope}", NOW) is None
            await KEYS.remember(session, scope, "shared-key", 201, answer)
    async with db.unit_of_work() as session:
        for scope, answer in (("clerk:370202", {"id": "a"}), ("clerk:370203", {"id": "b"})):
            assert await KEYS.claim_many(session, db, scope, {"shared-key": f"hash-{scope}"}, NOW) == {
                "shared-key": Replay(201, answer, True)}

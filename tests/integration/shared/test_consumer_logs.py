"""What ops read of an idempotent consumer: one "event handled" line per event with its consumer, a
warning naming the consumer and the batch's size (with the traceback) only when a batch really
failed, and redeliveries counted per consumer (inbox_duplicates_total)."""

from __future__ import annotations

import json
import logging

from prometheus_client import REGISTRY
from sqlalchemy import MetaData

from shared.db import Database
from shared.events import Envelope
from shared.logging import configure_logging
from shared.messaging import idempotent_consumer, messaging_tables

metadata = MetaData()
tables = messaging_tables(metadata)
CONSUMER = "logs.test"


def _lines(caplog) -> list[dict]:
    handler = next(h for h in logging.getLogger().handlers if h.get_name() == "courtmed")
    return [json.loads(handler.format(r)) for r in caplog.records if isinstance(r.msg, dict)]


def _duplicates() -> float:
    return REGISTRY.get_sample_value("inbox_duplicates_total", {"consumer": CONSUMER}) or 0.0


async def _consumer(tmp_path, handler):
    configure_logging("INFO")
    db = Database(f"sqlite+aiosqlite:///{tmp_path}/inbox.db")
    async with db.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    return db, idempotent_consumer(db, tables, CONSUMER, {"case.received": handler})


async def test_each_event_is_logged_once_and_a_good_batch_warns_of_nothing(tmp_path, caplog):
    handled: list[str] = []

    async def handler(_session, envelope):
        handled.append(envelope.case_id)

    db, handle = await _consumer(tmp_path, handler)
    first, second = Envelope.new("case.received", "c1", "test"), Envelope.new("case.received", "c2", "test")
    before = _duplicates()
    caplog.clear()
    assert await handle([first, second, first]) == [None, None, None]  # a copy within the batch
    assert await handle([second]) == [None]  # a redelivery
    lines = _lines(caplog)
    await db.dispose()
    assert handled == ["c1", "c2"]
    assert _duplicates() == before + 2
    events = [(line["event"], line.get("consumer"), line.get("correlation_id")) for line in lines]
    assert [e for e in events if e[0] == "event handled"] == [
        ("event handled", CONSUMER, first.correlation_id), ("event handled", CONSUMER, second.correlation_id)]
    assert not [line for line in lines if line["level"] == "warning"]


async def test_a_failed_batch_warns_with_its_consumer_size_and_traceback(tmp_path, caplog):
    async def handler(_session, envelope):
        if envelope.case_id == "poison":
            raise ValueError("cannot apply")

    db, handle = await _consumer(tmp_path, handler)
    caplog.clear()
    good, poison = Envelope.new("case.received", "c1", "test"), Envelope.new("case.received", "poison", "test")
    outcomes = await handle([good, poison])
    lines = _lines(caplog)
    raw = [r.msg for r in caplog.records if isinstance(r.msg, dict) and r.msg.get("event", "").startswith("batch")]
    await db.dispose()
    assert outcomes[0] is None and isinstance(outcomes[1], ValueError)
    [warning] = [line for line in lines if line["level"] == "warning"]
    assert warning["event"] == "batch failed; its events are tried one by one"
    assert warning["consumer"] == CONSUMER and warning["size"] == 2
    assert [m.get("exc_info") for m in raw] == [True]  # the handler's traceback goes with it

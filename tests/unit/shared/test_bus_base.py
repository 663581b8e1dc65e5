"""The bus interface's own rules, with no broker: per-message outcomes, a batch that breaks its
contract, the retry delays, and the relay's publishing order per case."""

from __future__ import annotations

import asyncio

import pytest

from shared.bus import InMemoryBus
from shared.bus.base import NotAttempted, Subscription, one_by_one, retry_delays_ms, run_batch, take_batch
from shared.events import Envelope


def _events(*cases: str) -> list[Envelope]:
    return [Envelope.new("case.received", case, "test") for case in cases]


async def test_one_by_one_hands_each_message_to_the_handler_and_answers_for_each():
    seen: list[str] = []

    async def handler(envelope: Envelope) -> None:
        seen.append(envelope.event_id)
        if envelope.case_id == "bad":
            raise ValueError("cannot")

    batch = _events("a", "bad", "c")
    outcomes = await one_by_one(handler)(batch)
    assert seen == [e.event_id for e in batch]
    assert outcomes[0] is None and isinstance(outcomes[1], ValueError) and outcomes[2] is None


async def test_a_batch_handler_that_raises_fails_every_message_of_its_batch():
    async def broken(envelopes):
        raise RuntimeError("broke its contract")

    outcomes = await run_batch(Subscription("q", ("case.received",), broken), _events("a", "b"))
    assert len(outcomes) == 2 and all(isinstance(o, RuntimeError) for o in outcomes)

    async def answers(envelopes):
        return [None] * len(envelopes)

    assert await run_batch(Subscription("q", ("case.received",), answers), _events("a", "b")) == [None, None]


@pytest.mark.parametrize(("base", "attempts", "delays"), [
    (100, 5, [100, 400, 1600, 6400]), (2000, 3, [2000, 8000]), (100, 1, []), (100, 0, [])])
def test_retry_delays_grow_fourfold_one_fewer_than_the_attempts(base, attempts, delays):
    assert retry_delays_ms(base, attempts) == delays


async def test_take_batch_takes_what_has_arrived_up_to_the_limit():
    queue: asyncio.Queue = asyncio.Queue()
    for i in range(5):
        queue.put_nowait(i)
    assert await take_batch(queue, 3) == [0, 1, 2]
    assert await take_batch(queue, 3) == [3, 4]


async def test_take_batch_lingers_for_what_arrives_just_after_the_first():
    queue: asyncio.Queue = asyncio.Queue()
    queue.put_nowait("first")
    loop = asyncio.get_running_loop()
    loop.call_later(0.02, queue.put_nowait, "close behind")
    loop.call_later(0.5, queue.put_nowait, "too late")
    assert await take_batch(queue, 10, linger_s=0.2) == ["first", "close behind"]
    assert queue.qsize() == 0  # "too late" is the next batch's


async def test_take_batch_does_not_linger_when_a_whole_batch_is_there():
    queue: asyncio.Queue = asyncio.Queue()
    for i in range(3):
        queue.put_nowait(i)
    started = asyncio.get_running_loop().time()
    assert await take_batch(queue, 3, linger_s=5) == [0, 1, 2]
    assert asyncio.get_running_loop().time() - started < 1


class RecordingBus(InMemoryBus):
    def __init__(self, refuse: set[str]) -> None:
        super().__init__()
        self.refuse, self.published = refuse, []

    async def publish(self, envelope: Envelope) -> None:
        await asyncio.sleep(0)
        if envelope.event_id in self.refuse:
            raise ConnectionError("nacked")
        self.published.append(envelope.event_id)


async def test_publish_many_keeps_each_cases_order_and_stops_a_case_at_its_first_failure():
    a1, b1, a2, b2, a3 = _events("a", "b", "a", "b", "a")
    bus = RecordingBus({a2.event_id})
    outcomes = await bus.publish_many([a1, b1, a2, b2, a3])
    assert outcomes[0] is None and outcomes[1] is None and outcomes[3] is None
    assert isinstance(outcomes[2], ConnectionError)
    assert isinstance(outcomes[4], NotAttempted)  # never tried: it must not overtake a2
    assert a3.event_id not in bus.published
    assert bus.published.index(b1.event_id) < bus.published.index(b2.event_id)
    assert set(bus.published) == {a1.event_id, b1.event_id, b2.event_id}


async def test_each_batch_is_observed_under_its_queue():
    """The dashboard's batch-size panel reads `bus_batch_size` per queue."""
    from prometheus_client import REGISTRY

    def observed(queue: str) -> tuple[float, float]:
        return (REGISTRY.get_sample_value("bus_batch_size_count", {"queue": queue}) or 0.0,
                REGISTRY.get_sample_value("bus_batch_size_sum", {"queue": queue}) or 0.0)

    async def answers(envelopes):
        return [None] * len(envelopes)

    before = observed("batch-size-test.events")
    await run_batch(Subscription("batch-size-test.events", ("case.received",), answers), _events("a", "b", "c"))
    count, total = observed("batch-size-test.events")
    assert (count - before[0], total - before[1]) == (1.0, 3.0)

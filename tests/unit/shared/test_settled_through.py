"""When the RabbitMQ adapter may acknowledge a whole batch with one multiple ack: only when the batch
continues, on the same channel and without a gap, the deliveries already settled there. A multiple ack
covers every unsettled delivery up to its tag, so anything else would settle messages nobody handled."""

from __future__ import annotations

from dataclasses import dataclass

from aio_pika.exceptions import ChannelInvalidStateError

from shared.bus.rabbitmq import SettledThrough


class Channel:
    is_closed = False


@dataclass
class Delivery:
    """What SettledThrough reads of an incoming message."""

    tag: int
    on: Channel

    @property
    def delivery_tag(self) -> int:
        return self.tag

    @property
    def channel(self) -> Channel:
        if self.on.is_closed:
            raise ChannelInvalidStateError
        return self.on


def _on(channel: Channel, *tags: int) -> list[Delivery]:
    return [Delivery(tag, channel) for tag in tags]


def test_consecutive_batches_of_one_channel_continue_each_other():
    channel, settled = Channel(), SettledThrough()
    for batch in (_on(channel, 1, 2, 3), _on(channel, 4), _on(channel, 5, 6)):
        assert settled.continued_by(batch)
        settled.settled(batch)


def test_a_batch_before_the_last_one_was_settled_does_not_continue_it():
    channel, settled = Channel(), SettledThrough()
    assert settled.continued_by(_on(channel, 1, 2))
    # 1 and 2 not settled yet (settled() not called): 3 and 4 must not be acknowledged up to 4
    assert not settled.continued_by(_on(channel, 3, 4))


def test_a_gap_loses_the_channel_for_good():
    channel, settled = Channel(), SettledThrough()
    first = _on(channel, 1, 2)
    assert settled.continued_by(first)
    settled.settled(first)
    assert not settled.continued_by(_on(channel, 4, 5))  # 3 went elsewhere: unknown whether it is settled
    settled.settled(_on(channel, 4, 5))  # even once 4 and 5 are settled one by one
    assert not settled.continued_by(_on(channel, 6))
    assert not settled.continued_by(_on(channel, 3))


def test_a_batch_that_does_not_start_at_the_first_delivery_of_a_new_channel_is_refused():
    assert not SettledThrough().continued_by(_on(Channel(), 2, 3))


def test_a_batch_of_two_channels_is_refused_and_a_new_channel_starts_afresh():
    old, new, settled = Channel(), Channel(), SettledThrough()
    first = _on(old, 1, 2)
    assert settled.continued_by(first)
    settled.settled(first)
    assert not settled.continued_by([Delivery(3, old), Delivery(1, new)])
    assert not settled.continued_by(_on(new, 2, 3))  # 1 of the new channel was in the refused batch
    reconnected = Channel()
    assert settled.continued_by(_on(reconnected, 1, 2))


def test_a_closed_channel_is_never_continued():
    channel, settled = Channel(), SettledThrough()
    channel.is_closed = True
    assert not settled.continued_by(_on(channel, 1))

"""The loops stop between passes: a shutdown request lets the pass in progress finish (its
transaction commits) and ends the sleep that follows at once."""

from __future__ import annotations

import asyncio

from shared.polling import Shutdown, poll_forever


async def test_a_pass_in_progress_finishes_and_the_loop_returns():
    shutdown, wake = Shutdown(), asyncio.Event()
    started, release = asyncio.Event(), asyncio.Event()
    finished: list[int] = []

    async def one_pass() -> int:
        started.set()
        await release.wait()
        finished.append(len(finished))
        return 0

    loop = asyncio.create_task(poll_forever(one_pass, wake=wake, poll_seconds=3600, batch_size=10,
                                            name="test", shutdown=shutdown))
    await started.wait()
    shutdown.request()
    release.set()
    await asyncio.wait_for(loop, 2)
    assert finished == [0] and loop.exception() is None


async def test_a_request_ends_a_long_nap_at_once():
    shutdown = Shutdown()
    passes: list[int] = []

    async def one_pass() -> int:
        passes.append(1)
        return 0

    loop = asyncio.create_task(poll_forever(one_pass, wake=asyncio.Event(), poll_seconds=3600, batch_size=10,
                                            name="test", shutdown=shutdown))
    await asyncio.sleep(0.05)
    shutdown.request()
    await asyncio.wait_for(loop, 1)
    assert passes == [1]


async def test_a_wake_still_starts_the_next_pass_before_shutdown():
    shutdown, wake = Shutdown(), asyncio.Event()
    passes: list[int] = []

    async def one_pass() -> int:
        passes.append(1)
        if len(passes) == 2:
            shutdown.request()
        return 0

    loop = asyncio.create_task(poll_forever(one_pass, wake=wake, poll_seconds=3600, batch_size=10,
                                            name="test", shutdown=shutdown))
    await asyncio.sleep(0.05)
    wake.set()
    await asyncio.wait_for(loop, 1)
    assert passes == [1, 1]


async def test_nap_after_the_request_does_not_sleep():
    shutdown = Shutdown()
    shutdown.request()
    await asyncio.wait_for(shutdown.nap(3600), 0.5)


async def test_a_sweeper_waits_one_interval_first_and_stops_in_its_sleep():
    shutdown = Shutdown()
    passes: list[int] = []

    async def one_pass() -> int:
        passes.append(1)
        return 0

    loop = asyncio.create_task(poll_forever(one_pass, poll_seconds=3600, name="test", shutdown=shutdown,
                                            wait_first=True))
    await asyncio.sleep(0.05)
    shutdown.request()
    await asyncio.wait_for(loop, 1)
    assert passes == []  # stopped in the first interval, before any pass


async def test_a_failed_pass_is_tried_again_after_the_sleep():
    shutdown = Shutdown()
    attempts: list[int] = []

    async def one_pass() -> int:
        attempts.append(1)
        if len(attempts) == 1:
            raise RuntimeError("database away")
        shutdown.request()
        return 0

    await asyncio.wait_for(poll_forever(one_pass, poll_seconds=0.01, name="test", shutdown=shutdown), 1)
    assert len(attempts) == 2


async def test_a_woken_loop_lingers_so_the_commits_close_behind_go_in_one_pass():
    shutdown, wake = Shutdown(), asyncio.Event()
    waiting: list[int] = []
    passes: list[int] = []

    async def one_pass() -> int:
        passes.append(len(waiting))
        waiting.clear()
        return 0

    loop = asyncio.create_task(poll_forever(one_pass, wake=wake, poll_seconds=3600, batch_size=10, name="test",
                                            shutdown=shutdown, linger_seconds=0.2))
    while not passes:
        await asyncio.sleep(0.01)
    for commit in range(3):  # three commits in quick succession, each waking the loop
        waiting.append(commit)
        wake.set()
        await asyncio.sleep(0.02)
    while len(passes) < 2:
        await asyncio.sleep(0.01)
    shutdown.request()
    await asyncio.wait_for(loop, 2)
    assert passes == [0, 3]

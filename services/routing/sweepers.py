"""Routing's background loop: the joint-choice windows that closed without a choice (2021 Art 10),
designated by the rules (actions/joint_choice.py). Durable and safe with replicas, like mediation's
sweepers: every pass reads the database, and the action claims what it designates."""

from __future__ import annotations

from services.routing.actions import joint_choice
from shared.logging import get_logger
from shared.polling import poll_forever

log = get_logger("routing.joint_choice")
BATCH = 100


class ChoiceSweeper:
    def __init__(self, runtime) -> None:
        self.rt = runtime

    async def sweep(self) -> int:
        """One pass, a batch per transaction; answers how many cases it had designated."""
        total = 0
        while True:
            async with self.rt.db.unit_of_work() as session:
                designated = await joint_choice.designate_closed_windows(session, self.rt, self.rt.clock.now(), BATCH)
            total += designated
            if designated < BATCH:
                if total:
                    log.info("joint choice windows closed; partners designated", cases=total)
                return total

    async def run(self) -> None:
        await poll_forever(self.sweep, poll_seconds=self.rt.settings.choice_sweep_seconds,
                           name="routing.choice_sweeper", shutdown=self.rt.shutdown)

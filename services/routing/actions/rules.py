"""Ops install the next ruleset version: validated whole, numbered by the server (the version in
force + 1), and refused when the edit was based on a version that is no longer in force, rather than
silently overwriting the change installed since."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.routing.domain.ruleset import validate_ruleset
from services.routing.store import rulesets as repo
from services.routing.store.models import RulesetRow
from shared.logging import get_logger

log = get_logger("routing.rules")


class StaleEdit(Exception):
    def __init__(self, based_on: int, in_force: int) -> None:
        super().__init__(f"based on {based_on}, {in_force} in force")
        self.based_on, self.in_force = based_on, in_force


async def install_ruleset(session: AsyncSession, rt, document: dict[str, Any], based_on: int | None,
                          by: str) -> RulesetRow:
    """Raises StaleEdit, or RulesetInvalid (domain) naming every fault; either changes nothing."""
    current = await repo.in_force(session)
    if based_on is not None and based_on != current.version:
        raise StaleEdit(based_on, current.version)
    ruleset = validate_ruleset({**document, "version": current.version + 1})
    row = await repo.install(session, ruleset, by, rt.clock.now())
    log.info("ruleset installed", version=row.version, by=by)
    return row

"""Installed ruleset versions: the one in force is the highest; versions are never changed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.routing.domain.ruleset import DEFAULT_RULESET, DEFAULT_RULESET_DOCUMENT, Ruleset, validate_ruleset
from services.routing.store.models import RulesetRow
from shared.db import read_once


async def in_force(session: AsyncSession) -> RulesetRow:
    row = (await session.execute(select(RulesetRow).order_by(RulesetRow.version.desc()).limit(1))).scalar_one_or_none()
    if row is None:  # an unseeded database routes with the default, as ValidatedRulesets.read() does
        return RulesetRow(version=1, document=dict(DEFAULT_RULESET_DOCUMENT), installed_at=None, installed_by="default")
    return row


async def install(session: AsyncSession, ruleset: Ruleset, installed_by: str, now: datetime) -> RulesetRow:
    """Add the validated ruleset as its own version. Two concurrent installs of the same version
    collide on the primary key at flush, and the caller answers 409."""
    row = RulesetRow(version=ruleset.version, document=ruleset.to_document(), installed_at=now,
                     installed_by=installed_by)
    session.add(row)
    await session.flush()
    session.info.pop(_IN_FORCE_READ, None)
    return row


# Built once, as Core: every case received reads the version in force.
_RULESETS = RulesetRow.__table__
_VERSION_IN_FORCE = select(_RULESETS.c.version).order_by(_RULESETS.c.version.desc()).limit(1)
_DOCUMENT_OF_VERSION = select(_RULESETS.c.document).where(_RULESETS.c.version == bindparam("v"))
# The version in force as a transaction read it (session.info): a consumer's batch routes many cases.
_IN_FORCE_READ = "routing.ruleset_in_force"


class ValidatedRulesets:
    """The rulesets of one database, each validated once.

    A version's document never changes: install() only adds rows, under a version the server numbers,
    and nothing updates or deletes them. So the validated ruleset of a version may be kept for the
    process's life; what is read per case is only which version is in force (the primary key's last
    entry), once per transaction, so a version another replica installs counts from the next batch
    (install() forgets what its own transaction read). Only what a query found
    is kept (an unseeded database's default is not), and the transactions reading through here never
    install a ruleset, so what they found is committed."""

    def __init__(self) -> None:
        self._validated: dict[int, Ruleset] = {}

    async def read(self, session: AsyncSession, version: int | None = None) -> tuple[int, Ruleset]:
        """The given version, or the one in force (the highest installed); the default ruleset as
        version 1 when that version is not installed."""
        if not version:
            version = await read_once(session, _IN_FORCE_READ, lambda: session.scalar(_VERSION_IN_FORCE))
            if version is None:
                return 1, DEFAULT_RULESET
        rules = self._validated.get(version)
        if rules is None:
            document = await session.scalar(_DOCUMENT_OF_VERSION, {"v": version})
            if document is None:
                return 1, DEFAULT_RULESET
            rules = self._validated[version] = validate_ruleset(document)
        return version, rules

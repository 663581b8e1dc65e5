"""The contract's vocabulary, one definition for all four services: stages, the four modes and the
mapping between them, procedures, party roles and kinds (domain.md, "The four modes"; contract.md).
Event types live beside the envelope (shared/events.py); the Chinese words in shared/labels_zh.py."""

from __future__ import annotations

from enum import StrEnum
from types import MappingProxyType


class Stage(StrEnum):
    PRE_FILING = "pre_filing"
    POST_FILING = "post_filing"
    IN_LITIGATION = "in_litigation"
    DIRECT = "direct"


class Mode(StrEnum):
    DELEGATION = "delegation"  # 立案前委派调解
    ENTRUSTMENT = "entrustment"  # 立案后委托调解
    INVITATION = "invitation"  # 诉中邀请调解
    SELF = "self"  # 合作单位自行调解


class Procedure(StrEnum):
    ORDINARY = "ordinary"
    SUMMARY = "summary"


class PartyRole(StrEnum):
    APPLICANT = "applicant"
    RESPONDENT = "respondent"
    THIRD_PARTY = "third_party"


class PartyKind(StrEnum):
    PERSON = "person"
    ORGANIZATION = "organization"


def values(words: type[StrEnum]) -> tuple[str, ...]:
    """The plain strings of one vocabulary, in its order (for Literal types and query checks)."""
    return tuple(word.value for word in words)


# The stage at intake fixes the mode of mediation.
MODE_BY_STAGE = MappingProxyType({
    Stage.PRE_FILING.value: Mode.DELEGATION.value,
    Stage.POST_FILING.value: Mode.ENTRUSTMENT.value,
    Stage.IN_LITIGATION.value: Mode.INVITATION.value,
    Stage.DIRECT.value: Mode.SELF.value,
})
# Stages that come after docketing carry the court's own case number and its procedure.
DOCKETED_STAGES = frozenset({Stage.POST_FILING.value, Stage.IN_LITIGATION.value})

"""The four ways a dispute reaches a partner body (domain.md, "The four modes")."""

from enum import StrEnum


class Mode(StrEnum):
    DELEGATION = "delegation"  # 立案前委派调解
    ENTRUSTMENT = "entrustment"  # 立案后委托调解
    INVITATION = "invitation"  # 诉中邀请调解
    SELF = "self"  # 合作单位自行调解

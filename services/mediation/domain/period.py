"""The statutory mediation period when routing's decision did not state one (domain.md, "The four
modes"): 30 days for delegation; 15 (ordinary) or 7 (summary procedure) for entrustment and
invitation; the partner's own rule for self, 30 by default."""

ORDINARY_DAYS = 15
SUMMARY_DAYS = 7
DELEGATION_DAYS = 30
SELF_DEFAULT_DAYS = 30


def statutory_period_days(mode: str, procedure: str | None, stated: int | None = None) -> int:
    if stated is not None and int(stated) > 0:
        return int(stated)
    if mode in ("entrustment", "invitation"):
        return SUMMARY_DAYS if procedure == "summary" else ORDINARY_DAYS
    if mode == "delegation":
        return DELEGATION_DAYS
    return SELF_DEFAULT_DAYS

"""Mediation's own Prometheus metrics; no case ids in labels."""

from prometheus_client import Counter

CALENDAR_FALLBACK = Counter(
    "mediation_calendar_fallback_total",
    "Working-day windows computed on weekends only because chinese-calendar does not know the year",
    ["window"],
)
SWEEPER_TRANSITIONS = Counter(
    "mediation_sweeper_transitions_total", "Cases the sweepers moved", ["sweeper"],
)
UI_SIGN_INS = Counter("mediation_ui_sign_ins_total", "Mediator web-client sign-in attempts", ["outcome"])

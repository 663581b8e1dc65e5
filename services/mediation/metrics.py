"""Mediation's own Prometheus metrics; no case ids in labels."""

from prometheus_client import Counter, Gauge

CALENDAR_PROVISIONAL = Counter(
    "mediation_calendar_provisional_total",
    "Windows and deadlines computed on a year the holiday table knows only by its fixed statutory holidays "
    "(window: offer, first_contact, deadline, judicial_confirmation); recomputed when ops load the year",
    ["window"],
)
CALENDAR_RECOMPUTED = Counter(
    "mediation_calendar_recomputed_total", "Provisional windows and deadlines recomputed after ops loaded a year",
)
SWEEPER_TRANSITIONS = Counter(
    "mediation_sweeper_transitions_total", "Cases the sweepers moved", ["sweeper"],
)
UI_SIGN_INS = Counter("mediation_ui_sign_ins_total", "Mediator web-client sign-in attempts", ["outcome"])

# Backlog (sampled, services/mediation/backlog.py): counts by status or by deadline, never a case.
CASES_OPEN = Gauge("mediation_cases_open", "Mediations not yet ended, by status", ["status"])
CASES_OVERDUE = Gauge(
    "mediation_cases_overdue",
    "Mediations past a deadline the sweepers have not acted on yet (deadline: offer, period, first_contact)",
    ["deadline"])

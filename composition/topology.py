"""Who listens to what (contract.md, "Who emits, who listens"): one durable queue per consuming
service, named `<service>.events`, bound to exactly the event types of that service's handler table
(tests/unit/composition/test_topology.py holds the two together). Every process declares all of
them, so nothing published is dropped for want of a queue, even before the consumer has started
once."""

from shared.events import EVENT_TYPES, OUTCOMES

# Capacity is taken when routing chooses a partner, so `mediation.accepted` changes nothing there.
# calendar.year_loaded: the joint-choice window is counted on mediation's holiday table (a copy).
ROUTING_EVENTS = ("case.received", "case.withdrawn", "mediation.declined", *OUTCOMES, "calendar.year_loaded")
# case.unroutable: the statistics count unroutable cases and those returned to the court.
MEDIATION_EVENTS = ("case.received", "case.routed", "case.unroutable", "case.withdrawn", "handoff.sent",
                    "handoff.acknowledged")
# Intake and notify take none of shared/events.PLATFORM_EVENT_TYPES: those concern no case.
# Intake writes case.received and case.withdrawn itself, in the transaction that makes them.
INTAKE_EVENTS = tuple(t for t in EVENT_TYPES if t not in ("case.received", "case.withdrawn"))
# Notify keeps its own copy of the parties' contacts (for notices) from case.received.
NOTIFY_EVENTS = EVENT_TYPES

QUEUES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("routing.events", ROUTING_EVENTS),
    ("mediation.events", MEDIATION_EVENTS),
    ("intake.events", INTAKE_EVENTS),
    ("notify.events", NOTIFY_EVENTS),
)

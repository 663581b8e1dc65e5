"""Notify's application layer: what an event makes notify do, each action written in the consumer's
transaction next to the inbox row (one effect per event) and nothing sent from here; the workers
(workers/) send what the actions wrote. Every action takes the event, what notify remembers of its
case with this event merged in (actions/facts.py, first for every event) and the time:
`action(session, rt, envelope, facts, now)`. Which actions each event runs: consumers/events.py."""

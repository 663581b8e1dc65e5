"""Routing's application layer: one module per use case, each running inside the caller's unit of
work, so the consumer (consumers/events.py), the API and the joint-choice sweeper share one path.
`decide.py` is the one way a case gets a decision."""

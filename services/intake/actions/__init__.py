"""Intake's application layer: one function per use case (filing cases, withdrawing one, keeping the
clerk's read model), called by the API and the consumers; events leave through the outbox here, the
store only reads and writes rows."""

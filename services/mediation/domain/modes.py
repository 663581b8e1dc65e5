"""The four ways a dispute reaches a partner body (domain.md, "The four modes"): the contract's one
definition, in shared/vocabulary.py."""

from shared.vocabulary import Mode

__all__ = ["Mode"]

"""Failures of an outbound channel, worded without the recipient's address or phone."""

from __future__ import annotations


class ChannelError(Exception):
    """Sending failed; `retryable` says whether trying again later can help."""

    def __init__(self, message: str, *, retryable: bool = True, status_code: int | None = None) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.status_code = status_code

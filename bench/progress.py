"""Progress lines go to standard error: standard output carries only the report's markdown."""

from __future__ import annotations

import sys


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)

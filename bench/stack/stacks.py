"""The table of hot functions from py-spy's raw (collapsed) stacks: one line per distinct stack,
`frame;frame;... count`, root first, each frame `func (path/to/file.py:LINE)`.

Inclusive share: a function counts in every sample where it is anywhere on the stack (once per
sample, however deep it recurses). Our own functions are those in services/, shared/ or composition/.
SQLAlchemy runs its sync ORM code (Session.execute, get, flush, commit) in a greenlet, which py-spy
shows as a stack of its own rooted in sqlalchemy, not under the coroutine that awaited it: those
samples are counted apart, as the share a caller cannot be charged with.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from bench.stack.process import ROOT

OWN_PACKAGES = ("services", "shared", "composition")
# The process's entry point is under every sample of the event loop's thread: a row saying nothing.
ENTRY_MODULES = ("composition.run",)
_FRAME = re.compile(r"^(?P<func>.*) \((?P<path>.*?)(?::(?P<line>\d+))?\)$")


@dataclass(frozen=True)
class Hot:
    function: str  # services.intake.api:create_case
    share: float  # of all samples of the process


@dataclass(frozen=True)
class Profile:
    samples: int
    greenlet_share: float  # samples in stacks rooted in SQLAlchemy's greenlet
    top: list[Hot]


def _own_function(frame: str) -> str | None:
    match = _FRAME.match(frame)
    if not match:
        return None
    try:
        relative = Path(match["path"]).resolve().relative_to(ROOT)
    except ValueError:
        return None
    if relative.parts[0] not in OWN_PACKAGES:
        return None
    module = ".".join(relative.with_suffix("").parts)
    return None if module in ENTRY_MODULES else f"{module}:{match['func']}"


def _greenlet_rooted(root_frame: str) -> bool:
    match = _FRAME.match(root_frame)
    return bool(match) and "/sqlalchemy/" in match["path"]


def profile(raw: Path, top: int = 8) -> Profile:
    inclusive: Counter[str] = Counter()
    samples = greenlet = 0
    for line in raw.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not count_text.isdigit():
            continue
        count = int(count_text)
        samples += count  # a sample py-spy could not name a frame of still took the process's time
        frames = stack.strip().split(";")
        if _greenlet_rooted(frames[0]):
            greenlet += count
        for function in {f for f in map(_own_function, frames) if f}:
            inclusive[function] += count
    return Profile(samples, greenlet / samples if samples else 0.0,
                   [Hot(f, n / samples) for f, n in inclusive.most_common(top)])

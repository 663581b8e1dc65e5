"""What input the four services accept at all: the character, date and identifier rules every field
shares, as pydantic types and as plain checks the input boundary (shared/boundary.py) applies to
every string of a request.

Why these rules: PostgreSQL refuses NUL in text and JSONB (a 500 after the work was done), a time
converted to UTC can leave the years Python and the database hold (year 1 or 9999 with a ±14:00
offset), and a name carrying a right-to-left override or a zero-width character reads differently
from what is stored, on a court document as in a log line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

from annotated_types import GroupedMetadata
from pydantic import AfterValidator, AwareDatetime, BeforeValidator, StringConstraints, WithJsonSchema
from pydantic_core import PydanticCustomError

# C0 and C1 control characters and DEL, but not tab, line feed and carriage return (multi-line text
# has them); lone surrogates (no UTF-8 encoding exists, so no database can store them).
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
# What a single line (a name, a reference, an id) must not hold besides that: line breaks and tabs,
# the Unicode line and paragraph separators, bidirectional controls (U+202E right-to-left override
# among them), zero-width characters and the byte-order mark.
NOT_IN_A_LINE = re.compile(
    "[\x00-\x1f\x7f-\x9f\ud800-\udfff"
    "\u2028\u2029"                              # line / paragraph separator
    "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"  # bidirectional marks, embeddings, overrides, isolates
    "\u200b-\u200d\u2060-\u2064\u180e\u034f"    # zero-width space, joiners, word joiner, invisible operators
    "\ufeff\ufff9-\ufffb]"                      # byte-order mark, interlinear annotation
)

# Times a request may carry: within what Python's datetime (years 1-9999) and the databases hold
# after any conversion to UTC and the arithmetic the services do (a 30-day stats window, an
# extension of a year), with room to spare.
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)


def _first_of(pattern: re.Pattern[str], value: str) -> str | None:
    found = pattern.search(value)
    return None if found is None else f"U+{ord(found.group()):04X}"


def control_character(value: str) -> str | None:
    """The first control character of `value` as its code point (e.g. "U+0000"); None when it has none."""
    return _first_of(CONTROL, value)


def line_breaker(value: str) -> str | None:
    """The first character that has no place in a single line, as its code point (e.g. "U+2028"); None
    when it has none."""
    return _first_of(NOT_IN_A_LINE, value)


def _printable(value: str) -> str:
    bad = control_character(value)
    if bad:
        raise PydanticCustomError("control_character", "must not contain control characters ({char})",
                                  {"char": bad})
    return value


def _single_line(value: str) -> str:
    bad = line_breaker(value)
    if bad:
        raise PydanticCustomError("not_single_line", "must be a single line without control, bidirectional "
                                  "or zero-width characters ({char})", {"char": bad})
    return value


def within_bounds(value: datetime) -> datetime:
    """A time the services can store and compute with; its offset is kept."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise PydanticCustomError("timezone_aware", "an RFC 3339 time with its offset is required")
    if not EARLIEST <= value < LATEST:
        raise PydanticCustomError("time_out_of_range", "must lie between {earliest} and {latest}",
                                  {"earliest": EARLIEST.date().isoformat(), "latest": LATEST.date().isoformat()})
    return value


_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})")


def rfc3339_text(value: Any) -> Any:
    """Only an RFC 3339 string (or a datetime built in code) is a time: pydantic alone would also
    read `0.5` or `1700000000` as seconds since 1970."""
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _RFC3339.fullmatch(value.strip()):
        raise PydanticCustomError("rfc3339", "an RFC 3339 time with its offset, e.g. 2026-03-01T09:30:00+08:00")
    return value.strip()


# Metadata for `Annotated[str, SingleLine(100)]` (a type checker reads the field as a str): pydantic
# unpacks a GroupedMetadata into its constraints and validator.
@dataclass(frozen=True)
class SingleLine(GroupedMetadata):
    """A name, reference or identifier: one line of visible text, trimmed."""

    max_length: int
    min_length: int = 1

    def __iter__(self) -> Iterator[object]:
        yield from StringConstraints(strip_whitespace=True, min_length=self.min_length, max_length=self.max_length)
        yield AfterValidator(_single_line)


@dataclass(frozen=True)
class Text(GroupedMetadata):
    """Free text (a summary, a reason, a note): line breaks allowed, control characters not."""

    max_length: int
    min_length: int = 1

    def __iter__(self) -> Iterator[object]:
        yield from StringConstraints(strip_whitespace=True, min_length=self.min_length, max_length=self.max_length)
        yield AfterValidator(_printable)


# An RFC 3339 time with offset, within EARLIEST..LATEST (the JSON Schema says so, for clients and
# for schemathesis).
Instant = Annotated[AwareDatetime, BeforeValidator(rfc3339_text), AfterValidator(within_bounds),
                    WithJsonSchema({"type": "string", "format": "date-time",
                                    "description": f"RFC 3339 with offset, from {EARLIEST.date()} to {LATEST.date()}"})]

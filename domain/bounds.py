"""Bounds on every value the service accepts: what is accepted must be safe for every read
model, file and page (integer columns, spreadsheet cells, page offsets, the decimal context)."""

import re
from datetime import UTC, datetime
from decimal import Decimal

from domain.errors import InvalidError

# The earliest instant anything is looked up at: nothing of this service is older, and an
# instant of year 1 in +08:00 cannot even be converted to UTC.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
# A branch's reward or fine per result, in yuan (seed 000 speaks of hundreds).
MAX_AMOUNT = Decimal("100000.00")
# Comments, reasons and other free text a signer writes; names of records and people.
MAX_TEXT = 4000
MAX_NAME = 200
# An aggregate's events, a listing's rows and how far into it a reader may skip.
MAX_VERSION = 1_000_000
MAX_LIMIT = 100_000
MAX_OFFSET = 10_000_000
# Appraisals one bulk sign-off takes: a large branch's month, in one request.
MAX_BULK = 500
# Digits a count may have when it comes as text (a query string, a header).
_COUNT = re.compile(r"[0-9]{1,12}")


def past_instant(moment: datetime, field: str = "as_of") -> datetime:
    """An instant to look back at, in UTC: timezone-aware, from 1970 up to now."""
    if moment.tzinfo is None:
        raise InvalidError(f"{field} must name its time zone", {field: "no time zone"})
    if moment < EARLIEST:
        raise InvalidError(f"{field} is before 1970", {field: "before 1970"})
    if moment > datetime.now(UTC):
        raise InvalidError(f"{field} is in the future", {field: "future"})
    return moment.astimezone(UTC)


def count_of(text: str) -> int | None:
    """A non-negative count written in ASCII digits; None for anything else ('²', '1_0', '٣',
    ' 1', '+1' and 13-digit numbers are not counts)."""
    return int(text) if _COUNT.fullmatch(text) else None


def check_text(text: str, field: str, *, limit: int = MAX_TEXT, required: bool = False) -> str:
    """Free text as stores, files and pages can hold it: bounded, no NUL, valid Unicode."""
    if len(text) > limit:
        raise InvalidError(f"{field} is longer than {limit} characters", {field: "too long"})
    if "\x00" in text or not encodable(text):
        raise InvalidError(f"{field} has characters that cannot be stored", {field: "characters"})
    if required and not text.strip():
        raise InvalidError(f"a {field} is required", {field: "empty"})
    return text


def encodable(text: str) -> bool:
    """Whether UTF-8 can hold the text (no lone surrogate)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate
        return False
    return True

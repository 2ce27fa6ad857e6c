"""Appraisal periods: a month `YYYY-MM` or a year-end `YYYY`."""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone

from domain.errors import InvalidError

# ASCII: `\d` would also take full-width and other scripts' digits, which YYYY-MM does not mean.
# The mine's calendar: dates on boards and forms are China's (no daylight saving since 1991).
CHINA = timezone(timedelta(hours=8), "CST")
_PATTERN = re.compile(r"(?P<year>\d{4})(?:-(?P<month>\d{2}))?", re.ASCII)


@dataclass(frozen=True, order=True)
class Period:
    """One appraisal period; `month` is None for the year-end appraisal."""

    year: int
    month: int | None = None

    @classmethod
    def parse(cls, text: str) -> "Period":
        match = _PATTERN.fullmatch(text)
        if not match or not 1900 <= int(match["year"]) <= 2999:
            raise InvalidError(f"period {text!r} is not YYYY-MM or YYYY", {"period": "format"})
        month = int(match["month"]) if match["month"] else None
        if month is not None and not 1 <= month <= 12:
            raise InvalidError(f"period {text!r} has no month {month}", {"period": "month"})
        return cls(int(match["year"]), month)

    @property
    def is_year_end(self) -> bool:
        return self.month is None

    def __str__(self) -> str:
        return f"{self.year:04d}" if self.month is None else f"{self.year:04d}-{self.month:02d}"


def china_date(moment: datetime | None = None) -> date:
    """The day the mine's calendar reads at `moment` (default: now)."""
    return (moment or datetime.now(UTC)).astimezone(CHINA).date()

"""Deadlines (截止日期): the day by which each signed step of a period is due.

A branch sets its own for a period; an administrator sets them for every branch at once
(`EVERY_BRANCH`). A step a branch sets no date for falls back on the organisation's, then on
the defaults, which are days of the month after the period (of the January after a
year-end): self-check by the 5th, evaluation by the 8th, review by the 10th, approval by the
12th, unless configured otherwise. A day is China's: a step is overdue from the day after its
due date, as the mine's calendar reads it.
"""

import calendar
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import InvalidError
from domain.ids import stream_id
from domain.period import Period
from domain.process import STEPS, State

EVERY_BRANCH = "*"  # the scope of an administrator's deadlines: every branch
DEFAULT_DAYS: dict[str, int] = {State.SELF_CHECK: 5, State.ZONE_EVALUATION: 8,
                                State.GROUP_REVIEW: 10, State.BRANCH_APPROVAL: 12}
# How long after its period a step may be due, and before its start none may be.
LATEST_AFTER = timedelta(days=366)
DUE_SOON = timedelta(days=2)  # a step due within this many days is shown as due soon


def check_days(days: Any) -> dict[str, int]:
    """Default deadlines as days of the month after the period, one per step, in step order
    (a later step never due before an earlier one)."""
    if not isinstance(days, dict) or set(days) != set(STEPS):
        raise InvalidError("deadline days name each step once", {"days": "steps"})
    checked = {str(step): days[step] for step in STEPS}
    values = list(checked.values())
    if any(isinstance(d, bool) or not isinstance(d, int) or not 1 <= d <= 28 for d in values):
        raise InvalidError("a deadline day is a day of the month from 1 to 28", {"days": "range"})
    if values != sorted(values):
        raise InvalidError("a later step is never due before an earlier one", {"days": "order"})
    return checked


def following_month(period: Period) -> tuple[int, int]:
    """The year and month after a monthly period; January after a year-end."""
    if period.month is None or period.month == 12:
        return period.year + 1, 1
    return period.year, period.month + 1


def default_dates(period: Period, days: dict[str, int]) -> dict[str, date]:
    """Each step's default due date: `days` of the month after the period."""
    year, month = following_month(period)
    last = calendar.monthrange(year, month)[1]
    return {step: date(year, month, min(day, last)) for step, day in days.items()}


def check_dates(period: Period, dates: Any) -> dict[str, str]:
    """Due dates a branch or an administrator sets: some or all steps, each an ISO date
    (YYYY-MM-DD) from the period's first day to a year after its end, in step order."""
    if not isinstance(dates, dict) or not dates or not set(dates) <= set(STEPS):
        raise InvalidError("dates name one or more of the steps "
                           f"({', '.join(STEPS)})", {"dates": "steps"})
    start = date(period.year, period.month or 1, 1)
    latest = date(*following_month(period), 1) + LATEST_AFTER
    checked: dict[str, date] = {}
    for step in STEPS:
        if step not in dates:
            continue
        text = dates[step]
        try:
            day = date.fromisoformat(text) if isinstance(text, str) and len(text) == 10 else None
        except ValueError:
            day = None
        if day is None:
            raise InvalidError(f"the date for {step} is not YYYY-MM-DD", {step: "format"})
        if not start <= day <= latest:
            raise InvalidError(f"the date for {step} is outside {start} to {latest}",
                               {step: "range"})
        checked[step] = day
    if list(checked.values()) != sorted(checked.values()):
        raise InvalidError("a later step is never due before an earlier one", {"dates": "order"})
    return {step: day.isoformat() for step, day in checked.items()}


def effective(period: Period, days: dict[str, int], everyone: dict[str, str] | None,
              branch: dict[str, str] | None) -> dict[str, tuple[date, str]]:
    """Each step's due date for a branch and where it comes from: the branch's own
    (`branch`), the organisation's (`organisation`) or the defaults (`default`)."""
    found = {step: (day, "default") for step, day in default_dates(period, days).items()}
    for source, dates in (("organisation", everyone), ("branch", branch)):
        for step, text in (dates or {}).items():
            found[step] = (date.fromisoformat(text), source)
    return found


def check_effective(found: dict[str, tuple[date, str]]) -> None:
    """The dates a branch lives with, whatever their sources, in step order too: a date
    set for one step may not pass a later step's default or organisation's date."""
    days = [day for day, _source in found.values()]
    if days != sorted(days):
        raise InvalidError("with the other steps' dates in force, a later step would be due "
                           "before an earlier one", {"dates": "order"})


def standing(due: date, today: date) -> str:
    """Where a step waiting since before `today` stands: `overdue` from the day after its
    due date, `due` from DUE_SOON before it, `pending` before that."""
    if today > due:
        return "overdue"
    return "due" if due - today <= DUE_SOON else "pending"


class Deadlines(Aggregate):
    """The due dates one scope (a branch, or EVERY_BRANCH) set for one period; each change
    sets some steps' dates and keeps the others."""

    if TYPE_CHECKING:  # the event classes @event makes when the class is created
        Started: ClassVar[type[Any]]
        Set: ClassVar[type[Any]]

    @staticmethod
    def create_id(scope: str, period: str) -> UUID:
        return stream_id("deadlines", scope, period)

    @event("Started")
    def __init__(self, scope: str, period: str, actor: str, timestamp: datetime):
        self.scope = scope
        self.period = period
        self.dates: dict[str, str] = {}

    @event("Set")
    def set(self, dates: dict[str, str], actor: str, role: str, timestamp: datetime) -> None:
        merged = {**self.dates, **dates}
        self.dates = {step: merged[step] for step in STEPS if step in merged}

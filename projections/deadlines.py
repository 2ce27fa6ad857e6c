"""Deadlines as set: each scope's due dates of each period (domain.deadlines), for the
inbox, the overdue list and the reminders to read with the defaults."""

from collections.abc import Collection, Mapping, Sequence
from datetime import date

from eventsourcing.utils import get_topic
from sqlalchemy import Column, Connection, Index, String, Table, or_, select

from domain.deadlines import EVERY_BRANCH, Deadlines, effective
from domain.period import Period
from projections.tracking import PlainView, Recorded, metadata

scopes = Table("deadline_scopes", metadata,
               Column("stream", String(36), primary_key=True),
               Column("scope", String(), nullable=False),  # a branch id, or EVERY_BRANCH
               Column("period", String(7), nullable=False))
Index("ix_deadline_scopes_period", scopes.c.period, scopes.c.scope)

dates = Table("deadline_dates", metadata,
              Column("stream", String(36), primary_key=True),
              Column("step", String(20), primary_key=True),
              Column("due", String(10), nullable=False))  # ISO date, China's calendar


class DeadlinesView(PlainView):
    """A row per scope's period, and one per step it set a date for."""

    name = "deadlines"
    topics = (get_topic(Deadlines.Started), get_topic(Deadlines.Set))
    tables = (scopes, dates)

    def apply(self, conn: Connection, batch: Sequence[Recorded]) -> None:
        for _, event, stream in batch:  # a few a period per branch: one statement each
            if isinstance(event, Deadlines.Started):
                conn.execute(scopes.insert().values(stream=stream, scope=event.scope,
                                                    period=event.period))
                continue
            conn.execute(dates.delete().where(dates.c.stream == stream,
                                              dates.c.step.in_(list(event.dates))))
            conn.execute(dates.insert(), [{"stream": stream, "step": step, "due": due}
                                          for step, due in event.dates.items()])


def set_dates(conn: Connection, period: str,
              branches: Collection[str] | None) -> dict[str, dict[str, str]]:
    """The dates each scope set for the period: `branches` (None: every one) and the
    organisation's (EVERY_BRANCH)."""
    return set_dates_of(conn, [period], branches).get(period, {})


def set_dates_of(conn: Connection, periods: Collection[str],
                 branches: Collection[str] | None) -> dict[str, dict[str, dict[str, str]]]:
    """`set_dates` of several periods in one query: period → scope → step → due."""
    query = (select(scopes.c.period, scopes.c.scope, dates.c.step, dates.c.due)
             .join(dates, dates.c.stream == scopes.c.stream)
             .where(scopes.c.period.in_(list(periods))))
    if branches is not None:
        query = query.where(or_(scopes.c.scope == EVERY_BRANCH,
                                scopes.c.scope.in_(list(branches))))
    found: dict[str, dict[str, dict[str, str]]] = {}
    for period, scope, step, due in conn.execute(query):
        found.setdefault(period, {}).setdefault(scope, {})[step] = due
    return found


Due = dict[str, dict[str, tuple[date, str]]]  # branch → step → (due date, source)


def due_dates(conn: Connection, period: str, branches: Collection[str],
              days: dict[str, int]) -> Due:
    """Each branch's due date of each step of the period, with its source (the branch's
    own, the organisation's or the default `days`)."""
    return due_dates_of(conn, {period: branches}, days)[period]


def due_dates_of(conn: Connection, wanted: Mapping[str, Collection[str]],
                 days: dict[str, int]) -> dict[str, Due]:
    """`due_dates` of several periods (period → its branches) in one query."""
    every = {b for branches in wanted.values() for b in branches}
    found = set_dates_of(conn, list(wanted), every) if wanted else {}
    return {period: _effective(period, branches, found.get(period, {}), days)
            for period, branches in wanted.items()}


def _effective(period: str, branches: Collection[str], found: dict[str, dict[str, str]],
               days: dict[str, int]) -> Due:
    parsed = Period.parse(period)
    return {branch: effective(parsed, days, found.get(EVERY_BRANCH), found.get(branch))
            for branch in branches}

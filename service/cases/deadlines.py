"""Deadlines (截止日期) as the API and the pages answer them: a branch's or every branch's due
dates of a period set and read back with their sources, and the inbox's items dated."""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import select

from domain.deadlines import EVERY_BRANCH, effective, standing
from domain.errors import ForbiddenError
from domain.organisation import Branch
from domain.period import Period, china_date
from projections.check import snapshot
from projections.deadlines import due_dates, due_dates_of, set_dates
from projections.directory import branches
from projections.ranking_query import names_of
from service.runtime import Runtime
from workflows.access import Actor

Dates = dict[str, tuple[date, str]]  # step → (due date, its source)


def dates_out(dates: Dates) -> dict[str, dict[str, str]]:
    return {step: {"due": day.isoformat(), "source": source}
            for step, (day, source) in dates.items()}


def set_for(rt: Runtime, actor: Actor, branch_id: str | None, period: str,
            dates: dict[str, str]) -> dict[str, Any]:
    """Set some steps' dates of `branch_id` (None: every branch); answers that scope's
    effective dates as they now stand, read from its own record (no read model to wait for)."""
    workflows = rt.workflows
    workflows.set_deadlines(branch_id, period, dates, actor, rt.settings.deadline_days)
    label = str(Period.parse(period))
    everyone = workflows.deadlines(None, label)
    own = None if branch_id is None else workflows.deadlines(branch_id, label)
    found = effective(Period.parse(label), rt.settings.deadline_days,
                      everyone.dates if everyone else None, own.dates if own else None)
    return {"period": label, "branch_id": branch_id, "dates": dates_out(found)}


def read(rt: Runtime, actor: Actor, period: str, branch_id: str | None) -> dict[str, Any]:
    """Each branch's due dates of the period with their sources, for `branch_id` or every
    branch the actor oversees or signs in (Workflows.deadline_branches): 422 for an unknown
    branch, then 403 outside; and the organisation's, which a branch without its own has."""
    label = str(Period.parse(period))
    within = _asked(rt, actor, branch_id)
    days = rt.settings.deadline_days
    rt.ready("directory", "deadlines")
    with snapshot(rt.engines.reader) as conn:
        ids = sorted(within) if within is not None else \
            sorted(conn.execute(select(branches.c.id)).scalars())
        due = due_dates(conn, label, ids, days)
        everyone = set_dates(conn, label, ()).get(EVERY_BRANCH)
        names = names_of(conn, branches, ids)
    return {"period": label,
            "organisation": dates_out(effective(Period.parse(label), days, everyone, None)),
            "branches": [{"branch_id": b, "name": names.get(b, b), "dates": dates_out(due[b])}
                         for b in ids]}


def _asked(rt: Runtime, actor: Actor, branch_id: str | None) -> set[str] | None:
    if branch_id is not None:
        rt.workflows.referenced(Branch, branch_id, field="branch_id")
    scope = rt.workflows.deadline_branches(actor)
    if scope is not None and not scope:
        raise ForbiddenError("deadlines are read by those who oversee or sign in a branch")
    if branch_id is not None and scope is not None and branch_id not in scope:
        raise ForbiddenError(f"branch {branch_id!r} is outside your scope", "scope")
    return {branch_id} if branch_id is not None else scope


def dated(rt: Runtime, items: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Inbox items with the due date of the step each waits for and where it stands
    (`pending`, `due`, `overdue`), read with one query for them all."""
    listed = list(items)
    wanted: dict[str, set[str]] = defaultdict(set)
    for item in listed:
        wanted[item["period"]].add(item["branch_id"])
    rt.ready("deadlines")
    with rt.engines.reader.connect() as conn:
        due = due_dates_of(conn, wanted, rt.settings.deadline_days)
    now = china_date()
    out = []
    for item in listed:
        day = due[item["period"]][item["branch_id"]][item["state"]][0]
        out.append({**item, "due": day.isoformat(), "deadline": standing(day, now)})
    return out

"""The overdue list (逾期清单): each appraisal waiting for a step past that step's due date.

Set-based: the periods and branches with appraisals waiting are read first, their due dates
worked out (projections.deadlines), and one query of the appraisal index then keeps only the
appraisals whose waiting step is late, with their zone's, group's and branch's names and
who the step waits on: the zone's responsible members for a self-check, else the accounts
granted the step's role in the zone, group or branch. No aggregate is loaded.
"""

from collections import defaultdict
from collections.abc import Collection
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, false, or_, select, true

from domain.process import PROCEDURE, STEPS, Role, State
from projections.appraisal_index import appraisals
from projections.deadlines import Due, due_dates_of
from projections.directory import branches, groups, members, responsibles, zones
from projections.tracking import chunks
from projections.users import list_accounts


def overdue(conn: Connection, today: date, days: dict[str, int], period: str | None,
            within: Collection[str] | None) -> list[dict[str, Any]]:
    """The late appraisals of `period` (None: every period) in the branches `within` (None:
    every one), most overdue first, then by period, branch and zone."""
    scope = _scope(period, within)
    waiting: dict[str, set[str]] = defaultdict(set)
    pairs = select(appraisals.c.period, appraisals.c.branch_id).where(scope).distinct()
    for found_period, branch in conn.execute(pairs):
        waiting[found_period].add(branch)
    due = due_dates_of(conn, waiting, days)
    late = _late(due, today)
    if not late:
        return []
    rows = [_row(row, due, today) for row in conn.execute(_listed(scope, late))]
    names = _responsible_names(conn, [r["zone_id"] for r in rows
                                      if r["step"] == State.SELF_CHECK])
    holders = _holders(conn) if any(r["step"] != State.SELF_CHECK for r in rows) else {}
    for row in rows:
        if row["step"] == State.SELF_CHECK:
            row["who"] = names.get(row["zone_id"], [])
        else:
            row["who"] = holders.get((row["role"], row[SCOPE_OF[row["role"]]]), [])
    return sorted(rows, key=lambda r: (-r["days_overdue"], r["period"], r["branch_id"],
                                       r["zone_id"]))


def _scope(period: str | None, within: Collection[str] | None) -> ColumnElement[bool]:
    """Appraisals waiting for a signed step, in the period and branches asked."""
    clause: ColumnElement[bool] = appraisals.c.state.in_([str(s) for s in STEPS])
    if period is not None:
        clause = and_(clause, appraisals.c.period == period)
    if within is not None:
        clause = and_(clause, appraisals.c.branch_id.in_(list(within)) if within else false())
    return clause


def _late(due: dict[str, Due], today: date) -> dict[tuple[str, str], list[str] | None]:
    """(period, step) → the branches whose due date of that step is before today; None
    when it is every branch waiting in that period (the defaults' case), so the query names
    none of them and stays short however many branches there are."""
    late: dict[tuple[str, str], list[str]] = defaultdict(list)
    for period, by_branch in due.items():
        for branch, dates in by_branch.items():
            for step, (day, _source) in dates.items():
                if day < today:
                    late[(period, step)].append(branch)
    return {(period, step): None if len(found) == len(due[period]) else found
            for (period, step), found in late.items()}


def _listed(scope: ColumnElement[bool], late: dict[tuple[str, str], list[str] | None]) -> Any:
    index = appraisals.c
    return (select(index.id, index.period, index.branch_id, index.group_id, index.zone_id,
                   index.state, branches.c.name.label("branch_name"),
                   groups.c.name.label("group_name"), zones.c.name.label("zone_name"))
            .where(scope, or_(*(and_(index.period == period, index.state == step,
                                     true() if found is None else index.branch_id.in_(found))
                                for (period, step), found in late.items())))
            .outerjoin(branches, branches.c.id == index.branch_id)
            .outerjoin(groups, groups.c.id == index.group_id)
            .outerjoin(zones, zones.c.id == index.zone_id))


def _row(row: Any, due: dict[str, Due], today: date) -> dict[str, Any]:
    day = due[row.period][row.branch_id][row.state][0]
    return {"appraisal_id": row.id, "period": row.period, "branch_id": row.branch_id,
            "branch_name": row.branch_name or row.branch_id, "group_id": row.group_id,
            "group_name": row.group_name or row.group_id, "zone_id": row.zone_id,
            "zone_name": row.zone_name or row.zone_id, "step": row.state,
            "role": str(PROCEDURE[State(row.state)].role), "due": day.isoformat(),
            "days_overdue": (today - day).days}


# The place a signing role's grant is scoped to, as the row names it.
SCOPE_OF = {Role.ZONE_EVALUATOR: "zone_id", Role.GROUP_LEADER: "group_id",
            Role.BRANCH_SECRETARY: "branch_id"}


def _holders(conn: Connection) -> dict[tuple[str, str], list[str]]:
    """(role, scope) → the names of the enabled accounts granted that role there now.
    Organisation-wide grants (an administrator's) are left out: they would name the same
    few people on every row, and the list is to say whose desk a step waits on."""
    found: dict[tuple[str, str], list[str]] = defaultdict(list)
    for account in list_accounts(conn):
        if account["disabled"]:
            continue
        for grant in account["roles"]:
            if grant["role"] in SCOPE_OF and grant["scope"] is not None:
                found[(grant["role"], grant["scope"])].append(account["display_name"])
    return {key: sorted(names) for key, names in found.items()}


def _responsible_names(conn: Connection, zone_ids: list[str]) -> dict[str, list[str]]:
    """The names of each zone's responsible members now, by member id."""
    found: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for chunk in chunks(sorted(set(zone_ids))):
        query = (select(responsibles.c.zone_id, members.c.id, members.c.name)
                 .join(members, members.c.id == responsibles.c.member_id)
                 .where(responsibles.c.zone_id.in_(chunk)))
        for zone_id, member_id, name in conn.execute(query):
            found[zone_id].append((member_id, name))
    return {zone: [name for _, name in sorted(named)] for zone, named in found.items()}

"""Progress at a glance (进度一览): for each branch, a period's zones at each step, not yet
opened, posted, final and objected to, with the gaps of coverage. Counts only, each one
grouped query over the read model that holds it, read in one snapshot by the caller."""

from collections import Counter, defaultdict
from collections.abc import Collection
from typing import Any

from sqlalchemy import Connection, func, select, true

from domain.process import State
from projections.appraisal_index import appraisals
from projections.coverage import coverage
from projections.directory import branches, zones
from projections.publicity import board_states, open_objections
from projections.ranking import entries

GAPS = ("zones_without_responsible", "members_without_zone", "groups_without_zone")
COUNTS = ("zones", "not_opened", "final", "open_objections")


def progress(conn: Connection, period: str,
             within: Collection[str] | None) -> list[dict[str, Any]]:
    """A row per branch (of `within`, or every one), by id."""
    ids = sorted(conn.execute(select(branches.c.id)).scalars()) if within is None \
        else sorted(within)
    zones_of = _counted(conn, select(zones.c.branch_id, func.count())
                        .group_by(zones.c.branch_id))
    final = _counted(conn, select(entries.c.branch_id, func.count())
                     .where(entries.c.period == period, entries.c.final == true())
                     .group_by(entries.c.branch_id))
    states: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(map(str, State), 0))
    query = (select(appraisals.c.branch_id, appraisals.c.state, func.count())
             .where(appraisals.c.period == period)
             .group_by(appraisals.c.branch_id, appraisals.c.state))
    for branch_id, state, count in conn.execute(query).tuples():
        states[branch_id][state] = count
    posted, objected = board_states(conn, period), open_objections(conn, period)
    gaps = {g: Counter(row["branch_id"] for row in rows)
            for g, rows in coverage(conn, ids).items()}
    return [{"branch_id": b, "zones": zones_of.get(b, 0),
             "not_opened": max(zones_of.get(b, 0) - sum(states[b].values()), 0),
             "states": states[b], "posting": posted.get(b, "none"), "final": final.get(b, 0),
             "open_objections": objected.get(b, 0),
             "gaps": {g: gaps[g][b] for g in GAPS}}
            for b in ids]


def totals(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The rows added up (the organisation department's line)."""
    return {**{k: sum(r[k] for r in rows) for k in COUNTS},
            "states": {s: sum(r["states"][s] for r in rows) for s in map(str, State)},
            "gaps": {g: sum(r["gaps"][g] for r in rows) for g in GAPS}}


def _counted(conn: Connection, query: Any) -> dict[str, int]:
    return dict(conn.execute(query).tuples().all())

"""Reading the ranking: a page ranked in the whole scope, the counts, and names for people.

A page is read in index order (the rows skipped from the index alone) and ranked from where
the tie of its first row began: equal scores share a rank (1, 2, 2, 4).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Table, func, select, true

from projections.ranking import BUCKETS, PUBLISHED, counts, entries
from projections.tracking import chunks


def ranks(scores: list[int], first: int, offset: int) -> list[int]:
    """Ranks of a page of scores (highest first) whose first row has rank `first`: equal
    scores share a rank and the next score takes its place in the whole list (1, 2, 2, 4)."""
    out: list[int] = []
    for i, score in enumerate(scores):
        out.append(first if i == 0 else out[-1] if score == scores[i - 1] else offset + i + 1)
    return out


@dataclass(frozen=True)
class Scope:
    """One period's results, narrowed by branch, group and line (None: any)."""

    period: str
    branch_id: str | None = None
    group_id: str | None = None
    line: str | None = None

    def where(self, table: Table) -> list[Any]:
        narrowed = {"branch_id": self.branch_id, "group_id": self.group_id, "line": self.line}
        return [table.c.period == self.period,
                *(table.c[c] == v for c, v in narrowed.items() if v is not None)]


def ranked(conn: Connection, scope: Scope, limit: int | None = None,
           offset: int = 0) -> list[dict[str, Any]]:
    """A page of the published results in scope, highest first and ties by zone id, each
    with its rank in the whole scope. Reads by index; costs the offset plus one tie."""
    where = [*scope.where(entries), PUBLISHED]  # as the indexes are made: they serve it
    order = (entries.c.score_tenths.desc(), entries.c.zone_id)
    # The rows skipped are read from the index alone; only the page's rows are fetched whole.
    page = (select(entries.c.appraisal_id).where(*where).order_by(*order).offset(offset)
            .limit(limit).subquery())
    query = select(entries).join(page, entries.c.appraisal_id == page.c.appraisal_id)
    rows = [row._asdict() for row in conn.execute(query.order_by(*order))]
    if not rows:
        return []
    top, first_zone = rows[0]["score_tenths"], rows[0]["zone_id"]
    # The first row's rank is where its tie began: before it are `offset` rows, of which
    # those with its score (listed by zone id) share its rank. A count over one tie only.
    tied = select(func.count()).where(*where, entries.c.score_tenths == top,
                                      entries.c.zone_id < first_zone)
    first = offset + 1 - (conn.execute(tied).scalar_one() if offset else 0)
    for row, rank in zip(rows, ranks([r["score_tenths"] for r in rows], first, offset),
                         strict=True):
        row["rank"] = rank
    return rows


def tally(conn: Connection, scope: Scope) -> dict[str, int]:
    """Appraisals in scope by grade once published, and how many are not published now."""
    sums = (func.coalesce(func.sum(counts.c[b]), 0).label(b) for b in BUCKETS)
    return dict(conn.execute(select(*sums).where(*scope.where(counts))).one()._mapping)


def names_of(conn: Connection, table: Table, ids: Iterable[str]) -> dict[str, str]:
    """Names by id from a directory table (members, branches, groups), for people."""
    found: dict[str, str] = {}
    for chunk in chunks(sorted(set(ids))):
        query = select(table.c.id, table.c.name).where(table.c.id.in_(chunk))
        found |= {row.id: row.name for row in conn.execute(query)}
    return found


def published_periods(conn: Connection) -> list[str]:
    """Periods with published results, latest first."""
    query = select(entries.c.period).where(entries.c.published == true()).distinct()
    return sorted(conn.execute(query).scalars(), reverse=True)

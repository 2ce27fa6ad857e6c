"""Coverage (全员覆盖): the gaps seed 000 §2.4 complains of, read from the directory tables.

Zones nobody is responsible for now, members responsible for no zone, groups without a zone;
each list sorted by id, within the branches asked for (`None`: every branch).
"""

from collections.abc import Collection
from typing import Any

from sqlalchemy import Connection, Select, exists, select

from projections.directory import groups, members, responsibles, zones


def _within(query: Select[Any], column: Any, branches: Collection[str] | None) -> Select[Any]:
    return query if branches is None else query.where(column.in_(list(branches)))


def _rows(conn: Connection, query: Select[Any]) -> list[dict[str, Any]]:
    return [dict(row._mapping) for row in conn.execute(query)]


def zones_without_responsible(conn: Connection,
                              branches: Collection[str] | None = None) -> list[dict[str, Any]]:
    """Zones whose responsible members were all re-assigned away (or never named)."""
    covered = exists().where(responsibles.c.zone_id == zones.c.id)
    query = (select(zones.c.id, zones.c.name, zones.c.branch_id, zones.c.group_id,
                    zones.c.line, zones.c.area)
             .where(~covered).order_by(zones.c.id))
    return _rows(conn, _within(query, zones.c.branch_id, branches))


def members_without_zone(conn: Connection,
                         branches: Collection[str] | None = None) -> list[dict[str, Any]]:
    """Members responsible for no zone now, in any group."""
    responsible = exists().where(responsibles.c.member_id == members.c.id)
    query = (select(members.c.id, members.c.name, groups.c.branch_id, members.c.group_id)
             .join(groups, groups.c.id == members.c.group_id)
             .where(~responsible).order_by(members.c.id))
    return _rows(conn, _within(query, groups.c.branch_id, branches))


def groups_without_zone(conn: Connection,
                        branches: Collection[str] | None = None) -> list[dict[str, Any]]:
    """Groups that no zone belongs to."""
    has_zone = exists().where(zones.c.group_id == groups.c.id)
    query = (select(groups.c.id, groups.c.name, groups.c.branch_id)
             .where(~has_zone).order_by(groups.c.id))
    return _rows(conn, _within(query, groups.c.branch_id, branches))


def coverage(conn: Connection, branches: Collection[str] | None = None) -> dict[str, Any]:
    """The three gap lists of `GET /coverage`."""
    return {"zones_without_responsible": zones_without_responsible(conn, branches),
            "members_without_zone": members_without_zone(conn, branches),
            "groups_without_zone": groups_without_zone(conn, branches)}

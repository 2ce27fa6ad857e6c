"""Reads of the organisation's tables beyond listings: the filters' choices, a branch's
groups with their members and zones, and where members sit."""

from typing import Any

from sqlalchemy import Connection, select

from projections.directory import branches, groups, members, zones
from projections.ranking_query import names_of
from projections.tracking import chunks


def choices(conn: Connection) -> dict[str, list[Any]]:
    """Branches and groups (id, name) and the lines of zones, each in order."""
    return {
        "branches": [tuple(r) for r in conn.execute(
            select(branches.c.id, branches.c.name).order_by(branches.c.id))],
        "groups": [tuple(r) for r in conn.execute(
            select(groups.c.id, groups.c.name).order_by(groups.c.id))],
        "lines": [(line, line) for line in
                  sorted(conn.execute(select(zones.c.line).distinct()).scalars())],
    }


def organisation(conn: Connection, branch_id: str) -> dict[str, Any]:
    """A branch's groups, each with its members and zones (responsible members by name)."""
    found = [dict(r._mapping) for r in conn.execute(
        select(groups.c.id, groups.c.name).where(groups.c.branch_id == branch_id)
        .order_by(groups.c.id))]
    people = [dict(r._mapping) for r in conn.execute(
        select(members.c.id, members.c.name, members.c.group_id)
        .where(members.c.group_id.in_([g["id"] for g in found])).order_by(members.c.id))]
    places = [dict(r._mapping) for r in conn.execute(
        select(zones.c.id, zones.c.name, zones.c.group_id, zones.c.line,
               zones.c.responsible_member_ids)
        .where(zones.c.branch_id == branch_id).order_by(zones.c.id))]
    names = names_of(conn, members, (m for z in places for m in z["responsible_member_ids"]))
    for group in found:
        group["members"] = [m for m in people if m["group_id"] == group["id"]]
        group["zones"] = [{**z, "responsibles": [names.get(m, m) for m in
                                                 z["responsible_member_ids"]]}
                          for z in places if z["group_id"] == group["id"]]
    return {"groups": found, "members": people}


def members_placed(conn: Connection, ids: set[str]) -> dict[str, dict[str, str]]:
    """Name, group and branch of each member, by id."""
    found: dict[str, dict[str, str]] = {}
    for chunk in chunks(sorted(ids)):
        query = (select(members.c.id, members.c.name, members.c.group_id, groups.c.branch_id)
                 .join(groups, groups.c.id == members.c.group_id)
                 .where(members.c.id.in_(chunk)))
        found |= {row.id: dict(row._mapping) for row in conn.execute(query)}
    return found

"""What the pages read from the read models besides the API's answers: the choices of their
filters (periods, branches, groups, lines) and the names of people and places."""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select, true

from domain.period import Period
from projections.directory import branches, groups, members, zones
from projections.ranking import entries
from projections.ranking_query import names_of
from projections.users import user_names
from service.runtime import Runtime
from service.web.rendering import SHANGHAI


def this_month() -> str:
    """The month it is in the mine (Beijing time)."""
    now = datetime.now(SHANGHAI)
    return str(Period(now.year, now.month))


def published_periods(rt: Runtime) -> list[str]:
    """Periods with published results, latest first."""
    rt.follower.ready("ranking")
    query = select(entries.c.period).where(entries.c.published == true()).distinct()
    with rt.engines.reader.connect() as conn:
        return sorted(conn.execute(query).scalars(), reverse=True)


def filter_choices(rt: Runtime) -> dict[str, list[Any]]:
    """Branches and groups (id, name) and the lines of zones, for the filters' selects; a
    branch created just before is among them."""
    rt.follower.ready("directory")
    with rt.engines.reader.connect() as conn:
        return {
            "branches": [tuple(r) for r in conn.execute(
                select(branches.c.id, branches.c.name).order_by(branches.c.id))],
            "groups": [tuple(r) for r in conn.execute(
                select(groups.c.id, groups.c.name).order_by(groups.c.id))],
            "lines": [(line, line) for line in
                      sorted(conn.execute(select(zones.c.line).distinct()).scalars())],
        }


def users_named(rt: Runtime, usernames: Iterable[str]) -> dict[str, str]:
    """Display names of users by username; a page falls back to the username itself."""
    rt.follower.ready("users")
    with rt.engines.reader.connect() as conn:
        return names_of(conn, user_names, usernames)


def organisation_of(rt: Runtime, branch_id: str) -> dict[str, Any]:
    """A branch's groups, each with its members and zones (responsible members by name)."""
    rt.follower.ready("directory")
    with rt.engines.reader.connect() as conn:
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

"""The organisation as tables: branches, groups, members and zones, for listings and scopes."""

from typing import Any

from eventsourcing.utils import get_topic
from sqlalchemy import JSON, Column, Connection, String, Table, select

from domain.organisation import Branch, Group, Member, Zone
from projections.tracking import metadata

branches = Table("org_branches", metadata,
                 Column("id", String(64), primary_key=True),
                 Column("name", String(200), nullable=False))
groups = Table("org_groups", metadata,
               Column("id", String(64), primary_key=True),
               Column("name", String(200), nullable=False),
               Column("branch_id", String(64), nullable=False, index=True))
members = Table("org_members", metadata,
                Column("id", String(64), primary_key=True),
                Column("name", String(200), nullable=False),
                Column("group_id", String(64), nullable=False, index=True))
zones = Table("org_zones", metadata,
              Column("id", String(64), primary_key=True),
              Column("stream", String(36), nullable=False, unique=True),
              Column("name", String(200), nullable=False),
              Column("branch_id", String(64), nullable=False, index=True),
              Column("group_id", String(64), nullable=False, index=True),
              Column("line", String(100), nullable=False),
              Column("area", String(100), nullable=False),
              Column("teams", JSON, nullable=False),
              Column("responsible_member_ids", JSON, nullable=False))

responsibles = Table("org_zone_responsibles", metadata,
                     Column("zone_id", String(64), primary_key=True),
                     Column("member_id", String(64), primary_key=True, index=True))

ZONE_FIELDS = ("id", "name", "branch_id", "group_id", "line", "area", "responsible_member_ids",
               "teams")


def zone_row(created: Any, branch_id: str) -> dict[str, Any]:
    """The row of a newly created zone."""
    return {"id": created.zone_id, "stream": str(created.originator_id), "name": created.name,
            "branch_id": branch_id, "group_id": created.group_id, "line": created.line,
            "area": created.area, "teams": list(created.teams),
            "responsible_member_ids": list(created.responsible_member_ids)}


class DirectoryView:
    """Who and what exists, and where each zone sits."""

    name = "directory"
    tables = (branches, groups, members, zones, responsibles)
    topics = tuple(get_topic(e) for e in (Branch.Created, Group.Created, Member.Created,
                                          Zone.Created, Zone.ResponsiblesReassigned))

    def apply(self, conn: Connection, domain_event: Any) -> None:
        match domain_event:
            case Branch.Created():
                conn.execute(branches.insert().values(id=domain_event.branch_id,
                                                      name=domain_event.name))
            case Group.Created():
                conn.execute(groups.insert().values(id=domain_event.group_id,
                                                    name=domain_event.name,
                                                    branch_id=domain_event.branch_id))
            case Member.Created():
                conn.execute(members.insert().values(id=domain_event.member_id,
                                                     name=domain_event.name,
                                                     group_id=domain_event.group_id))
            case Zone.Created():
                branch_id = conn.execute(select(groups.c.branch_id)
                                         .where(groups.c.id == domain_event.group_id)).scalar_one()
                conn.execute(zones.insert().values(zone_row(domain_event, branch_id)))
                _assign(conn, domain_event.zone_id, domain_event.responsible_member_ids)
            case Zone.ResponsiblesReassigned():
                stream = str(domain_event.originator_id)
                zone_id = conn.execute(select(zones.c.id).where(zones.c.stream == stream)
                                       ).scalar_one()
                conn.execute(zones.update().where(zones.c.id == zone_id)
                             .values(responsible_member_ids=list(domain_event.member_ids)))
                conn.execute(responsibles.delete().where(responsibles.c.zone_id == zone_id))
                _assign(conn, zone_id, domain_event.member_ids)


def _assign(conn: Connection, zone_id: str, member_ids: list[str]) -> None:
    for member_id in dict.fromkeys(member_ids):
        conn.execute(responsibles.insert().values(zone_id=zone_id, member_id=member_id))


def zones_of_member(conn: Connection, member_id: str) -> list[str]:
    """The zones a member is responsible for now."""
    query = select(responsibles.c.zone_id).where(responsibles.c.member_id == member_id)
    return list(conn.execute(query).scalars())


def list_zones(conn: Connection, *, branch_id: str | None = None, group_id: str | None = None,
               limit: int | None = None, offset: int = 0) -> list[dict[str, Any]]:
    query = select(*(zones.c[f] for f in ZONE_FIELDS)).order_by(zones.c.id)
    if branch_id is not None:
        query = query.where(zones.c.branch_id == branch_id)
    if group_id is not None:
        query = query.where(zones.c.group_id == group_id)
    query = query.offset(offset).limit(limit)
    return [dict(row._mapping) for row in conn.execute(query)]

"""The organisation as tables: branches, groups, members and zones, for listings and scopes."""

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from eventsourcing.utils import get_topic
from sqlalchemy import JSON, Column, Connection, String, Table, select

from domain.organisation import Branch, Group, Member, Zone
from projections import bulk
from projections.tracking import PlainView, Recorded, chunks, metadata

branches = Table("org_branches", metadata,
                 Column("id", String(), primary_key=True),
                 Column("name", String(), nullable=False))
groups = Table("org_groups", metadata,
               Column("id", String(), primary_key=True),
               Column("name", String(), nullable=False),
               Column("branch_id", String(), nullable=False, index=True))
members = Table("org_members", metadata,
                Column("id", String(), primary_key=True),
                Column("name", String(), nullable=False),
                Column("group_id", String(), nullable=False, index=True))
zones = Table("org_zones", metadata,
              Column("id", String(), primary_key=True),
              Column("stream", String(36), nullable=False, unique=True),
              Column("name", String(), nullable=False),
              Column("branch_id", String(), nullable=False, index=True),
              Column("group_id", String(), nullable=False, index=True),
              Column("line", String(), nullable=False),
              Column("area", String(), nullable=False),
              Column("teams", JSON, nullable=False),
              Column("responsible_member_ids", JSON, nullable=False))

responsibles = Table("org_zone_responsibles", metadata,
                     Column("zone_id", String(), primary_key=True),
                     Column("member_id", String(), primary_key=True, index=True))

ZONE_FIELDS = ("id", "name", "branch_id", "group_id", "line", "area", "responsible_member_ids",
               "teams")


def zone_row(created: Any, branch_id: str) -> dict[str, Any]:
    """The row of a newly created zone."""
    return {"id": created.zone_id, "stream": str(created.originator_id), "name": created.name,
            "branch_id": branch_id, "group_id": created.group_id, "line": created.line,
            "area": created.area, "teams": list(created.teams),
            "responsible_member_ids": list(created.responsible_member_ids)}


class DirectoryView(PlainView):
    """Who and what exists, and where each zone sits."""

    name = "directory"
    tables = (branches, groups, members, zones, responsibles)
    topics = tuple(get_topic(e) for e in (Branch.Created, Group.Created, Member.Created,
                                          Zone.Created, Zone.ResponsiblesReassigned))

    def apply(self, conn: Connection, batch: Sequence[Recorded]) -> None:
        """New rows are gathered and inserted a table at a time; a re-assignment, which
        changes rows, first writes what came before it."""
        events = [r.event for r in batch]
        branch_of = _branches_of(conn, events)
        pending: dict[Table, list[dict[str, Any]]] = defaultdict(list)
        for domain_event in events:
            match domain_event:
                case Branch.Created():
                    pending[branches].append({"id": domain_event.branch_id,
                                              "name": domain_event.name})
                case Group.Created():
                    pending[groups].append({"id": domain_event.group_id,
                                            "name": domain_event.name,
                                            "branch_id": domain_event.branch_id})
                case Member.Created():
                    pending[members].append({"id": domain_event.member_id,
                                             "name": domain_event.name,
                                             "group_id": domain_event.group_id})
                case Zone.Created():
                    pending[zones].append(zone_row(domain_event,
                                                   branch_of[domain_event.group_id]))
                    pending[responsibles] += _responsibles(
                        domain_event.zone_id, domain_event.responsible_member_ids)
                case Zone.ResponsiblesReassigned():
                    _insert(conn, pending)
                    _reassign(conn, domain_event)
        _insert(conn, pending)


def _branches_of(conn: Connection, events: Sequence[Any]) -> dict[str, str]:
    """The branch of every group the batch's new zones sit in: made in the batch or before."""
    made = {e.group_id: e.branch_id for e in events if isinstance(e, Group.Created)}
    wanted = sorted({e.group_id for e in events if isinstance(e, Zone.Created)} - made.keys())
    for chunk in chunks(wanted):
        query = select(groups.c.id, groups.c.branch_id).where(groups.c.id.in_(chunk))
        made |= dict(conn.execute(query).tuples().all())
    return made


def _insert(conn: Connection, pending: dict[Table, list[dict[str, Any]]]) -> None:
    # In the order of the tables' making: a zone's row before its responsibles'. Written by
    # the driver (projections.bulk): a rebuild adds a row for each member and zone.
    for table in DirectoryView.tables:
        if rows := pending.pop(table, None):
            bulk.insert(conn, table, tuple(rows[0]), [tuple(row.values()) for row in rows])


def _reassign(conn: Connection, reassigned: Any) -> None:
    stream = str(reassigned.originator_id)
    zone_id = conn.execute(select(zones.c.id).where(zones.c.stream == stream)).scalar_one()
    conn.execute(zones.update().where(zones.c.id == zone_id)
                 .values(responsible_member_ids=list(reassigned.member_ids)))
    conn.execute(responsibles.delete().where(responsibles.c.zone_id == zone_id))
    if rows := _responsibles(zone_id, reassigned.member_ids):
        conn.execute(responsibles.insert(), rows)


def _responsibles(zone_id: str, member_ids: list[str]) -> list[dict[str, str]]:
    return [{"zone_id": zone_id, "member_id": m} for m in dict.fromkeys(member_ids)]


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

"""Delegations (代签) as rows, for listings: one per delegation, with its principal, deputy,
grantor, days and when it was revoked, and a row per branch it stands in (the branches its
principal signs in), for the secretaries' listing. What each says stays in the events: a
listing loads the delegations it shows."""

from collections.abc import Collection, Sequence
from typing import Any

from eventsourcing.utils import get_topic
from sqlalchemy import Column, Connection, String, Table, and_, not_, or_, select

from domain.delegations import Deputy
from domain.documents import instant
from projections import bulk
from projections.tracking import PlainView, Recorded, metadata

delegations = Table(
    "delegations",
    metadata,
    Column("id", String(), primary_key=True),  # domain.ids.part_id: it names its stream
    Column("deputy", String(), nullable=False, index=True),
    Column("principal", String(), nullable=False, index=True),
    Column("granted_by", String(), nullable=False, index=True),
    Column("first_day", String(10), nullable=False),  # YYYY-MM-DD, China's calendar
    Column("last_day", String(10), nullable=False),
    # ISO 8601 UTC with microseconds, as documents write instants: they order as they read.
    Column("at", String(27), nullable=False),
    Column("revoked_at", String(27), nullable=True),
)
delegation_branches = Table(
    "delegation_branches",
    metadata,
    Column("delegation_id", String(), primary_key=True),
    Column("branch_id", String(), primary_key=True, index=True),
)
COLUMNS = ("id", "deputy", "principal", "granted_by", "first_day", "last_day", "at")


class DelegationsView(PlainView):
    """A row per delegation, its revocation's time set when it is revoked."""

    name = "delegations"
    topics = tuple(get_topic(e) for e in (Deputy.DelegationGranted, Deputy.DelegationRevoked))
    tables = (delegations, delegation_branches)

    def apply(self, conn: Connection, batch: Sequence[Recorded]) -> None:
        """New rows are inserted together; a revocation, which changes a row, first writes
        what came before it."""
        rows: list[tuple[Any, ...]] = []
        places: list[tuple[str, str]] = []
        for recorded in batch:
            found = recorded.event
            if isinstance(found, Deputy.DelegationGranted):
                rows.append((found.delegation, found.deputy, found.principal, found.actor,
                             found.start, found.end, instant(found.timestamp)))
                places += [(found.delegation, branch) for branch in found.branches]
                continue
            _insert(conn, rows, places)
            rows, places = [], []
            conn.execute(delegations.update().where(delegations.c.id == found.delegation)
                         .values(revoked_at=instant(found.timestamp)))
        _insert(conn, rows, places)


def _insert(conn: Connection, rows: list[tuple[Any, ...]],
            places: list[tuple[str, str]]) -> None:
    bulk.insert(conn, delegations, COLUMNS, rows)
    bulk.insert(conn, delegation_branches, ("delegation_id", "branch_id"), places)


def find_delegations(conn: Connection, *, username: str | None,
                     branches: Collection[str] = (), active: bool | None = None,
                     today: str = "", limit: int | None = None, offset: int = 0) -> list[str]:
    """The ids of the delegations a reader sees, the latest granted first: `username`'s as
    principal, deputy or grantor, and those standing in `branches` (None for `username`:
    every one). `active`: only those in force on `today` (YYYY-MM-DD), or only the others."""
    query = select(delegations.c.id).order_by(delegations.c.at.desc(), delegations.c.id)
    if username is not None:
        placed = select(delegation_branches.c.delegation_id).where(
            delegation_branches.c.branch_id.in_(sorted(branches)))
        query = query.where(or_(delegations.c.principal == username,
                                delegations.c.deputy == username,
                                delegations.c.granted_by == username,
                                delegations.c.id.in_(placed)))
    if active is not None:
        in_force = and_(delegations.c.revoked_at.is_(None), delegations.c.first_day <= today,
                        delegations.c.last_day >= today)
        query = query.where(in_force if active else not_(in_force))
    return [row.id for row in conn.execute(query.offset(offset).limit(limit))]


def in_force(conn: Connection, today: str) -> list[tuple[str, str, str]]:
    """The delegations in force on `today` (YYYY-MM-DD): (id, principal, deputy) each."""
    query = select(delegations.c.id, delegations.c.principal, delegations.c.deputy).where(
        delegations.c.revoked_at.is_(None), delegations.c.first_day <= today,
        delegations.c.last_day >= today).order_by(delegations.c.at, delegations.c.id)
    return [tuple(row) for row in conn.execute(query)]

"""An index of appraisals by period, zone, branch, group and state, for listings."""

from collections.abc import Collection, Sequence
from typing import Any

from eventsourcing.utils import get_topic
from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    DateTime,
    String,
    Table,
    bindparam,
    or_,
    select,
)

from domain.appraisal import Appraisal
from projections.tracking import Recorded, metadata

appraisals = Table(
    "appraisal_index",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("zone_id", String(64), nullable=False, index=True),
    Column("period", String(7), nullable=False, index=True),
    Column("branch_id", String(64), nullable=False, index=True),
    Column("group_id", String(64), nullable=False),
    Column("state", String(20), nullable=False),
    Column("version", BigInteger, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),  # the last event's time
)

APPRAISAL_EVENTS = (Appraisal.Opened, Appraisal.SelfCheckSubmitted,
                    Appraisal.ZoneEvaluationSubmitted, Appraisal.GroupReviewSubmitted,
                    Appraisal.BranchApproved, Appraisal.Returned, Appraisal.Reopened)


class AppraisalIndexView:
    """A row per appraisal: where it is and which state it is in."""

    name = "appraisal_index"
    topics = tuple(get_topic(e) for e in APPRAISAL_EVENTS)
    tables = (appraisals,)

    def apply(self, conn: Connection, batch: Sequence[Recorded]) -> None:
        """Each appraisal's last event of the batch gives its row: opened ones are inserted
        as they stand at the batch's end, the others updated, one executemany each."""
        latest: dict[str, Any] = {}
        opened: dict[str, Any] = {}
        for _, domain_event in batch:
            stream = str(domain_event.originator_id)
            latest[stream] = domain_event
            if isinstance(domain_event, Appraisal.Opened):
                opened[stream] = domain_event
        if opened:
            conn.execute(appraisals.insert(), [
                {"id": stream, "zone_id": e.zone_id, "period": e.period,
                 "branch_id": e.branch_id, "group_id": e.group_id, **_moved(latest[stream])}
                for stream, e in opened.items()])
        if moved := [{"key": stream, **_moved(e)} for stream, e in latest.items()
                     if stream not in opened]:
            conn.execute(MOVE, moved)


def _moved(domain_event: Any) -> dict[str, Any]:
    return {"state": domain_event.state, "version": domain_event.originator_version,
            "updated_at": domain_event.timestamp}


MOVE = (appraisals.update().where(appraisals.c.id == bindparam("key"))
        .values(state=bindparam("state"), version=bindparam("version"),
                updated_at=bindparam("updated_at")))


def find_appraisals(conn: Connection, *, period: str | None = None, zone_id: str | None = None,
                    branch_id: str | None = None, state: str | None = None,
                    visible: "Visibility | None" = None, limit: int | None = None,
                    offset: int = 0) -> list[str]:
    """Ids of the matching appraisals a reader may see, by period then zone."""
    query = select(appraisals.c.id).order_by(appraisals.c.period, appraisals.c.zone_id)
    for column, value in (("period", period), ("zone_id", zone_id), ("branch_id", branch_id),
                          ("state", state)):
        if value is not None:
            query = query.where(appraisals.c[column] == value)
    if visible is not None:
        query = query.where(visible.clause())
    return list(conn.execute(query.offset(offset).limit(limit)).scalars())


class Visibility:
    """The zones, groups and branches a reader's roles reach (None: everything)."""

    def __init__(self, branches: Collection[str], groups: Collection[str],
                 zones: Collection[str]):
        self.branches, self.groups, self.zones = set(branches), set(groups), set(zones)

    def clause(self) -> Any:
        return or_(appraisals.c.branch_id.in_(self.branches),
                   appraisals.c.group_id.in_(self.groups),
                   appraisals.c.zone_id.in_(self.zones))

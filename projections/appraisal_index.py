"""An index of appraisals by period, zone, branch, group and state, for listings."""

from collections.abc import Collection, Sequence
from typing import Any

from eventsourcing.utils import get_topic
from sqlalchemy import (
    DDL,
    BigInteger,
    Column,
    Connection,
    DateTime,
    Index,
    String,
    Table,
    event,
    or_,
    select,
)
from sqlalchemy.engine import Dialect

from domain.appraisal import Appraisal
from projections import bulk
from projections.tracking import BUILT_LAST, Recorded, metadata

appraisals = Table(
    "appraisal_index",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("zone_id", String(), nullable=False),
    Column("period", String(7), nullable=False),
    Column("branch_id", String(), nullable=False),
    Column("group_id", String(), nullable=False),
    Column("state", String(20), nullable=False),
    Column("version", BigInteger, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),  # the last event's time
)
for _column in ("zone_id", "period", "branch_id"):
    Index(f"ix_appraisal_index_{_column}", appraisals.c[_column], info=BUILT_LAST)
# Room on each page for a row's next version: PostgreSQL then writes it beside the old (a HOT
# update: no index touched), as no indexed column ever changes.
event.listen(appraisals, "after_create", DDL(
    "ALTER TABLE appraisal_index SET (fillfactor = 70)").execute_if(dialect="postgresql"))

Row = tuple[Any, ...]
APPRAISAL_EVENTS = (Appraisal.Opened, Appraisal.SelfCheckSubmitted,
                    Appraisal.ZoneEvaluationSubmitted, Appraisal.GroupReviewSubmitted,
                    Appraisal.BranchApproved, Appraisal.Returned, Appraisal.Reopened,
                    Appraisal.ObjectionRaised, Appraisal.ObjectionAnswered,
                    Appraisal.Finalised, Appraisal.FindingRecorded,
                    Appraisal.RectificationRecorded, Appraisal.MonthsSummarised,
                    Appraisal.Cancelled, Appraisal.Restarted)


class AppraisalIndexView:
    """A row per appraisal: where it is and which state it is in."""

    name = "appraisal_index"
    topics = tuple(get_topic(e) for e in APPRAISAL_EVENTS)
    tables = (appraisals,)
    parted = True

    def prepare(self, batch: Sequence[Recorded],
                dialect: Dialect) -> tuple[bulk.Ready, list[Row]]:
        """Each appraisal's last event of the batch gives its row: the opened ones' rows as
        they stand at the batch's end, ready to send, the others' changes (key, *MOVING)."""
        latest: dict[str, Any] = {}
        opened: dict[str, Any] = {}
        for _, domain_event, stream in batch:
            latest[stream] = domain_event
            if isinstance(domain_event, Appraisal.Opened):
                opened[stream] = domain_event
        return (bulk.ready(dialect, appraisals, COLUMNS, [
                    (stream, e.zone_id, e.period, e.branch_id, e.group_id,
                     *_moved(latest[stream])) for stream, e in opened.items()]),
                [(stream, *_moved(e)) for stream, e in latest.items() if stream not in opened])

    def apply(self, conn: Connection, prepared: tuple[bulk.Ready, list[Row]]) -> None:
        inserted, moved = prepared
        bulk.send(conn, inserted)
        bulk.update(conn, appraisals, "id", MOVING, moved)


MOVING = ("state", "version", "updated_at")
COLUMNS = ("id", "zone_id", "period", "branch_id", "group_id", *MOVING)


def _moved(domain_event: Any) -> tuple[Any, ...]:
    """The values of MOVING after the event."""
    return domain_event.state, domain_event.originator_version, domain_event.timestamp


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

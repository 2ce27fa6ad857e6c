"""Supervision findings (督导检查) as rows, for listings and counts: one per finding, on an
appraisal or on a zone, with when the branch answered it (整改). The text, the files and
the answer stay in the events: a listing loads the findings it shows."""

from collections.abc import Collection, Sequence
from typing import Any

from eventsourcing.utils import get_topic
from sqlalchemy import Column, Connection, Index, String, Table, and_, or_, select

from domain.appraisal import Appraisal
from domain.documents import instant
from domain.organisation import Zone
from projections import bulk
from projections.tracking import PlainView, Recorded, metadata

findings = Table(
    "supervision_findings",
    metadata,
    Column("id", String(), primary_key=True),  # domain.ids.part_id: it names its stream
    Column("zone_id", String(), nullable=False),
    Column("appraisal_id", String(36), nullable=True),  # None: a finding on the zone itself
    Column("branch_id", String(), nullable=False),
    Column("period", String(7), nullable=True),  # the appraisal's; None for the zone's own
    Column("method", String(), nullable=False),
    Column("date", String(10), nullable=False),  # YYYY-MM-DD, the day it was found
    # ISO 8601 UTC with microseconds, as documents write instants: they order as they read.
    Column("at", String(27), nullable=False),
    Column("rectified_at", String(27), nullable=True),
)
Index("ix_supervision_findings_zone", findings.c.zone_id, findings.c.at)
Index("ix_supervision_findings_branch", findings.c.branch_id, findings.c.at)

RECORDED = (Appraisal.FindingRecorded, Zone.FindingRecorded)
RECTIFIED = (Appraisal.RectificationRecorded, Zone.RectificationRecorded)
COLUMNS = ("id", "zone_id", "appraisal_id", "branch_id", "period", "method", "date", "at")


class FindingsView(PlainView):
    """A row per finding, its answer's time set when the rectification comes."""

    name = "findings"
    topics = tuple(get_topic(e) for e in (*RECORDED, *RECTIFIED))
    tables = (findings,)

    def apply(self, conn: Connection, batch: Sequence[Recorded]) -> None:
        """New rows are inserted together; an answer, which changes a row, first writes
        what came before it."""
        rows: list[tuple[Any, ...]] = []
        for recorded in batch:
            found = recorded.event
            if isinstance(found, RECORDED):
                rows.append(row(recorded))
                continue
            bulk.insert(conn, findings, COLUMNS, rows)
            rows = []
            conn.execute(findings.update().where(findings.c.id == found.finding)
                         .values(rectified_at=instant(found.timestamp)))
        bulk.insert(conn, findings, COLUMNS, rows)


def row(recorded: Recorded) -> tuple[Any, ...]:
    """The values of COLUMNS for a finding just recorded."""
    found = recorded.event
    on_appraisal = isinstance(found, Appraisal.FindingRecorded)
    return (found.finding, found.zone_id, recorded.stream if on_appraisal else None,
            found.branch_id, found.period if on_appraisal else None, found.method, found.date,
            instant(found.timestamp))


def find_findings(conn: Connection, *, zone_id: str | None = None,
                  branches: Collection[str] | None = None, period: str | None = None,
                  rectified: bool | None = None, limit: int | None = None,
                  offset: int = 0) -> list[dict[str, Any]]:
    """The rows that match, oldest first. `branches`: those in the reader's scope (None:
    all); `period` (YYYY-MM or YYYY): an appraisal's finding of that period, or a zone's
    own dated in it; `rectified`: answered or not (None: both)."""
    query = select(findings).order_by(findings.c.at, findings.c.id)
    if zone_id is not None:
        query = query.where(findings.c.zone_id == zone_id)
    if branches is not None:
        query = query.where(findings.c.branch_id.in_(sorted(branches)))
    if period is not None:
        query = query.where(or_(findings.c.period == period, and_(
            findings.c.period.is_(None), findings.c.date.startswith(f"{period}-",
                                                                    autoescape=True))))
    if rectified is not None:
        answered = findings.c.rectified_at
        query = query.where(answered.is_not(None) if rectified else answered.is_(None))
    return [dict(r._mapping) for r in conn.execute(query.offset(offset).limit(limit))]


def zone_findings_of_year(conn: Connection, year: str, branch_id: str | None,
                          at: str) -> list[dict[str, Any]]:
    """The zones' own findings dated in `year` and recorded at or before `at` (an instant as
    documents write it), of one branch or all, by branch, zone and time: an archive's."""
    query = (select(findings).where(findings.c.appraisal_id.is_(None),
                                    findings.c.date.startswith(f"{year}-", autoescape=True),
                                    findings.c.at <= at)
             .order_by(findings.c.branch_id, findings.c.zone_id, findings.c.at, findings.c.id))
    if branch_id is not None:
        query = query.where(findings.c.branch_id == branch_id)
    return [dict(r._mapping) for r in conn.execute(query)]

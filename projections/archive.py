"""The archive read model (年度档案): every appraisal event as its history entry, by year.

An archive shows each appraisal as it stood at an instant, with its history cut there.
Rather than load thousands of aggregates, the view keeps a row per event holding the
entry `GET /appraisals/{id}/history` shows, its time and its position in the log; the
document at any instant is replayed from the entries up to it (domain.documents.replayed).
A row per appraisal keeps where its zone sat when it was opened, for scopes and sheets.
"""

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from eventsourcing.utils import get_topic
from sqlalchemy import BigInteger, Column, Connection, Index, String, Table, select
from sqlalchemy.types import JSON

from domain.appraisal import Appraisal
from domain.documents import history_entry
from projections.appraisal_index import APPRAISAL_EVENTS
from projections.tracking import Recorded, metadata

appraisals = Table(
    "archive_appraisals",
    metadata,
    Column("appraisal_id", String(36), primary_key=True),
    Column("year", String(4), nullable=False),
    Column("period", String(7), nullable=False),
    Column("zone_id", String(64), nullable=False),
    Column("zone_name", String(200), nullable=False),
    Column("branch_id", String(64), nullable=False),
    Column("group_id", String(64), nullable=False),
    Column("line", String(100), nullable=False),
)
# The order an archive reads them in, for a branch or the whole year.
Index("ix_archive_year", appraisals.c.year, appraisals.c.branch_id, appraisals.c.appraisal_id)

events = Table(
    "archive_events",
    metadata,
    Column("appraisal_id", String(36), primary_key=True),
    Column("version", BigInteger, primary_key=True, autoincrement=False),
    Column("position", BigInteger, nullable=False),  # the notification id
    Column("at", String(27), nullable=False),  # ISO 8601 UTC: orders as it reads
    Column("entry", JSON, nullable=False),
)

PLACE = ("zone_id", "zone_name", "branch_id", "group_id", "line")


class ArchiveView:
    """A row per appraisal event, and one per appraisal."""

    name = "archive"
    topics = tuple(get_topic(e) for e in APPRAISAL_EVENTS)
    tables = (appraisals, events)

    def apply(self, conn: Connection, batch: Sequence[Recorded]) -> None:
        opened = [e for _, e in batch if isinstance(e, Appraisal.Opened)]
        if opened:
            conn.execute(appraisals.insert(), [
                {"appraisal_id": str(e.originator_id), "year": e.period[:4],
                 "period": e.period, **{c: getattr(e, c) for c in PLACE}} for e in opened])
        if batch:
            conn.execute(events.insert(), [event_row(position, e) for position, e in batch])


def event_row(position: int, domain_event: Any) -> dict[str, Any]:
    entry = history_entry(domain_event)
    return {"appraisal_id": str(domain_event.originator_id),
            "version": domain_event.originator_version, "position": position,
            "at": entry["at"], "entry": entry}


@dataclass(frozen=True)
class Archived:
    """An appraisal of the year: where it sat, its history up to the instant, and the
    highest log position among those entries."""

    place: dict[str, Any]
    history: list[dict[str, Any]]
    position: int


def archived(conn: Connection, year: str, branch_id: str | None, at: str,
             batch: int = 5000) -> Iterator[Archived]:
    """The year's appraisals in scope, by branch then appraisal id, with their entries up
    to `at` (an instant as documents write it); one not yet opened then is left out."""
    query = (select(appraisals, events.c.position, events.c.entry)
             .join(events, events.c.appraisal_id == appraisals.c.appraisal_id)
             .where(appraisals.c.year == year, events.c.at <= at)
             .order_by(appraisals.c.branch_id, appraisals.c.appraisal_id, events.c.version))
    if branch_id is not None:
        query = query.where(appraisals.c.branch_id == branch_id)
    rows = conn.execution_options(yield_per=batch).execute(query)
    for _, group in itertools.groupby(rows, key=lambda row: row.appraisal_id):
        kept = list(group)
        first = kept[0]._mapping
        yield Archived({c: first[c] for c in ("appraisal_id", "period", *PLACE)},
                       [row.entry for row in kept], max(row.position for row in kept))

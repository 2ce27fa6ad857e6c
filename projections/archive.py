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

import orjson
from eventsourcing.utils import get_topic
from sqlalchemy import BigInteger, Column, Connection, Index, String, Table, Text, select

from domain.appraisal import Appraisal
from domain.documents import history_entry
from projections import bulk
from projections.appraisal_index import APPRAISAL_EVENTS
from projections.tracking import BUILT_LAST, Recorded, metadata

appraisals = Table(
    "archive_appraisals",
    metadata,
    Column("appraisal_id", String(36), nullable=False),
    Column("year", String(4), nullable=False),
    Column("period", String(7), nullable=False),
    Column("zone_id", String(), nullable=False),
    Column("zone_name", String(), nullable=False),
    Column("branch_id", String(), nullable=False),
    Column("group_id", String(), nullable=False),
    Column("line", String(), nullable=False),
)
# Keys, not primary keys: only reads use them, and a rebuild builds them last (BUILT_LAST).
Index("ix_archive_appraisal", appraisals.c.appraisal_id, unique=True, info=BUILT_LAST)
# The order an archive reads them in, for a branch or the whole year.
Index("ix_archive_year", appraisals.c.year, appraisals.c.branch_id, appraisals.c.appraisal_id,
      info=BUILT_LAST)

events = Table(
    "archive_events",
    metadata,
    Column("appraisal_id", String(36), nullable=False),
    Column("version", BigInteger, nullable=False),
    Column("position", BigInteger, nullable=False),  # the notification id
    Column("at", String(27), nullable=False),  # ISO 8601 UTC: orders as it reads
    Column("entry", Text, nullable=False),  # JSON, encoded as the view is prepared
)
Index("ix_archive_event", events.c.appraisal_id, events.c.version, unique=True,
      info=BUILT_LAST)

PLACE = ("zone_id", "zone_name", "branch_id", "group_id", "line")
APPRAISAL_COLUMNS = ("appraisal_id", "year", "period", *PLACE)
EVENT_COLUMNS = ("appraisal_id", "version", "position", "at", "entry")
Row = tuple[Any, ...]
Prepared = tuple[list[Row], Sequence[Recorded], list[Row] | None]


class ArchiveView:
    """A row per appraisal event, and one per appraisal."""

    name = "archive"
    topics = tuple(get_topic(e) for e in APPRAISAL_EVENTS)
    tables = (appraisals, events)
    parted = True

    def prepare(self, batch: Sequence[Recorded], deferred: bool) -> Prepared:
        """The rows of APPRAISAL_COLUMNS; those of EVENT_COLUMNS unless `deferred`: then
        `apply` makes each as COPY sends it, while the server inserts those before (a
        PostgreSQL rebuild in one process took a sixth less time)."""
        opened = [(stream, e.period[:4], e.period, *(getattr(e, c) for c in PLACE))
                  for _, e, stream in batch if isinstance(e, Appraisal.Opened)]
        return opened, batch, None if deferred else [event_row(r) for r in batch]

    def apply(self, conn: Connection, prepared: Prepared) -> None:
        opened, batch, rows = prepared
        bulk.insert(conn, appraisals, APPRAISAL_COLUMNS, opened)
        if batch:
            bulk.insert(conn, events, EVENT_COLUMNS, map(event_row, batch) if rows is None
                        else rows)


def event_row(recorded: Recorded) -> Row:
    """The values of EVENT_COLUMNS for one event."""
    entry = history_entry(recorded.event)
    return (recorded.stream, recorded.event.originator_version, recorded.position,
            entry["at"], orjson.dumps(entry).decode())


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
                       [orjson.loads(row.entry) for row in kept], max(row.position for row in kept))

"""The archive read model (年度档案): where each appraisal of a year sat, and its history.

An archive shows each appraisal as it stood at an instant, with its history cut there.
Rather than load thousands of aggregates, the view keeps a row per appraisal with where its
zone sat when it was opened (for scopes and sheets), and an archive reads those appraisals'
events from the log a few hundred streams at a time (`Follower.streams`), each made into the
entry `GET /appraisals/{id}/history` shows; the document at any instant is replayed from the
entries up to it (domain.documents.replayed). Until 2026-12-06 the view kept a copy of every
entry: nearly half of a rebuild's work and most of the read models' size, for archives about
ten seconds faster at 10,000 zones (docs/PERFORMANCE.md).
"""

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from eventsourcing.utils import get_topic
from sqlalchemy import Column, Connection, Index, Row, String, Table, select
from sqlalchemy.engine import Dialect

from domain.appraisal import Appraisal
from domain.documents import history_entry
from projections import bulk
from projections.tracking import BUILT_LAST, Recorded, chunks, metadata

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

PLACE = ("zone_id", "zone_name", "branch_id", "group_id", "line")
APPRAISAL_COLUMNS = ("appraisal_id", "year", "period", *PLACE)
# The streams whose events are read from the log at a time.
STREAMS_A_READ = 500
# Appraisals' events by stream, read from the log and decoded (Follower.streams).
Streams = Callable[[Sequence[str]], Mapping[str, Sequence[Recorded]]]


class ArchiveView:
    """A row per appraisal, from its opening."""

    name = "archive"
    topics = (get_topic(Appraisal.Opened),)
    tables = (appraisals,)
    parted = True

    def prepare(self, batch: Sequence[Recorded], dialect: Dialect) -> bulk.Ready:
        return bulk.ready(dialect, appraisals, APPRAISAL_COLUMNS, [
            (stream, e.period[:4], e.period, *(getattr(e, c) for c in PLACE))
            for _, e, stream in batch])

    def apply(self, conn: Connection, prepared: bulk.Ready) -> None:
        bulk.send(conn, prepared)


@dataclass(frozen=True)
class Archived:
    """An appraisal of the year: where it sat, its history up to the instant, and the
    highest log position among those entries."""

    place: dict[str, Any]
    history: list[dict[str, Any]]
    position: int


def archived(conn: Connection, streams: Streams, year: str, branch_id: str | None,
             at: str) -> Iterator[Archived]:
    """The year's appraisals in scope, by branch then appraisal id, with their entries up
    to `at` (an instant as documents write it); one not yet opened then is left out."""
    query = select(appraisals).where(appraisals.c.year == year).order_by(
        appraisals.c.branch_id, appraisals.c.appraisal_id)
    if branch_id is not None:
        query = query.where(appraisals.c.branch_id == branch_id)
    for row, history, position in cut(conn.execute(query).all(), streams, at):
        yield Archived({c: getattr(row, c) for c in ("appraisal_id", "period", *PLACE)},
                       history, position)


def cut(rows: Sequence[Row[Any]], streams: Streams, at: str
        ) -> Iterator[tuple[Row[Any], list[dict[str, Any]], int]]:
    """Each appraisal row (with its `appraisal_id`) and its history entries up to `at`, with
    the highest log position among them; one with none by then is left out."""
    for chunk in chunks(rows, STREAMS_A_READ):
        events = streams([row.appraisal_id for row in chunk])
        for row in chunk:
            kept = [(r.position, entry) for r in events.get(row.appraisal_id, ())
                    if (entry := history_entry(r.event))["at"] <= at]
            if kept:
                yield row, [entry for _, entry in kept], max(position for position, _ in kept)

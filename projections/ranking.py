"""The ranking read model (排名公示): a row per appraisal, ranked at query time.

Each appraisal's row holds where its zone sits, its latest group-review total (in tenths),
its grade, whether it is published now, the reward its latest publication recorded, as
the exact decimal the event holds (in yuan: whatever the policy set, never rounded),
whether the published result is final (定稿: a closed posting finalised it since it was last
reopened), and whether it stands cancelled (opened by mistake). The rank is never stored:
one change would move thousands of ranks (projections.ranking_query ranks a page as it
reads it). Counters per (period, group, branch, line), kept with the rows, give the grade
distribution and the unpublished and cancelled counts at the same cost for 100,000 zones as
for ten.
"""

import operator
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from eventsourcing.utils import get_topic
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Connection,
    Index,
    Integer,
    String,
    Table,
    select,
    true,
)
from sqlalchemy.engine import Dialect

from domain.appraisal import Appraisal
from domain.process import State
from domain.scoring import Grade
from projections import bulk
from projections.tracking import BUILT_LAST, Recorded, chunks, metadata, started_apart

TENTH, CENT = Decimal("0.1"), Decimal("0.01")
# A cancelled appraisal (opened by mistake) is neither ranked nor waiting: it counts apart.
BUCKETS = (*(grade.value for grade in Grade), "unpublished", "cancelled")

entries = Table(
    "ranking_entries",
    metadata,
    Column("appraisal_id", String(36), primary_key=True),
    Column("period", String(7), nullable=False),
    Column("zone_id", String(), nullable=False),
    Column("zone_name", String(), nullable=False),
    Column("branch_id", String(), nullable=False),
    Column("group_id", String(), nullable=False),
    Column("line", String(), nullable=False),
    Column("responsible_member_ids", JSON, nullable=False),  # as at opening
    Column("score_tenths", Integer),  # the latest group review's total × 10: exact
    Column("grade", String(20)),
    Column("published", Boolean, nullable=False),
    # What the latest publication recorded, in yuan, as the event's decimal text: no number
    # column of both backends holds every amount a policy may name exactly (SQLite's
    # integers overflow at 9.2e18 fen, its NUMERIC rounds through a float).
    Column("reward", String()),
    Column("final", Boolean, nullable=False),  # Finalised since the last reopening
    Column("cancelled", Boolean, nullable=False),  # cancelled, and not restarted since
)
# A page in rank order, for the whole period and for each filter, without a sort. Only
# published rows are indexed: a row is written three times before its publication (opened,
# reviewed, maybe reviewed again), and each index would be rewritten each time.
PUBLISHED = entries.c.published == true()
for _name, _scope in (("all", ()), ("branch", ("branch_id",)), ("group", ("group_id",)),
                      ("line", ("line",))):
    Index(f"ix_ranking_{_name}", entries.c.period, *(entries.c[c] for c in _scope),
          entries.c.score_tenths.desc(), entries.c.zone_id, entries.c.appraisal_id,
          sqlite_where=PUBLISHED, postgresql_where=PUBLISHED, info=BUILT_LAST)

counts = Table(
    "ranking_counts",
    metadata,
    Column("period", String(7), primary_key=True),
    Column("group_id", String(), primary_key=True),
    Column("branch_id", String(), primary_key=True),
    Column("line", String(), primary_key=True),
    *(Column(bucket, Integer, nullable=False) for bucket in BUCKETS),
)

RANKING_EVENTS = (Appraisal.Opened, Appraisal.GroupReviewSubmitted, Appraisal.BranchApproved,
                  Appraisal.Reopened, Appraisal.Finalised, Appraisal.Cancelled,
                  Appraisal.Restarted)
CELL = ("period", "group_id", "branch_id", "line")  # the counters' key, in index order
Row = Mapping[str, Any]
Moves = defaultdict[tuple[str, ...], Counter[str]]  # by cell: how its counters move
# The rows of the appraisals a batch opens, ready to send, and how they move the counters;
# the batch's events of the others.
Prepared = tuple[bulk.Ready, Moves, list[Recorded]]


def next_row(row: Row | None, domain_event: Any) -> dict[str, Any]:
    """The appraisal's row after one event: the pure transform the view applies."""
    if isinstance(domain_event, Appraisal.Opened):
        return opened_row(domain_event, str(domain_event.originator_id))
    if row is None:
        raise ValueError(f"no ranking row for appraisal {domain_event.originator_id}")
    new = dict(row)
    advance(new, domain_event)
    return new


def opened_row(opened: Any, stream: str) -> dict[str, Any]:
    """The row of an appraisal just opened (its stream id as text given)."""
    return {"appraisal_id": stream, "period": opened.period, "zone_id": opened.zone_id,
            "zone_name": opened.zone_name, "branch_id": opened.branch_id,
            "group_id": opened.group_id, "line": opened.line,
            "responsible_member_ids": list(opened.responsible_member_ids),
            "score_tenths": None, "grade": None, "published": opened.state == State.PUBLISHED,
            "reward": None, "final": False, "cancelled": False}


def advance(row: dict[str, Any], domain_event: Any) -> None:
    """The row, changed in place by an event after the opening."""
    published = row["published"] = domain_event.state == State.PUBLISHED
    row["cancelled"] = domain_event.state == State.CANCELLED
    if not published:  # reopened: out of the ranking; its next publication records a reward
        row["reward"], row["final"] = None, False  # and it is final again only when finalised
    if isinstance(domain_event, Appraisal.GroupReviewSubmitted):
        total = exact(domain_event.total, TENTH)
        row["score_tenths"], row["grade"] = int(total * 10), Grade.of(total).value
    elif isinstance(domain_event, Appraisal.BranchApproved):
        # The reward the workflow recorded: the policy in force at this publication.
        row["reward"] = str(exact(domain_event.reward, CENT))
    elif isinstance(domain_event, Appraisal.Finalised):
        row["final"] = True
    elif isinstance(domain_event, Appraisal.Restarted):
        row["responsible_member_ids"] = list(domain_event.responsible_member_ids)


def exact(value: Any, places: Decimal) -> Decimal:
    """A number as the domain records it: finite, in whole `places`. Anything else is not
    the domain's, and the view fails on it (tracking.Failure) rather than round it."""
    try:
        number = Decimal(str(value))
        if number.is_finite() and number == number.quantize(places):
            return number
    except InvalidOperation:  # not a number, or more digits than the context holds
        pass
    raise ValueError(f"{value!r} is not a finite number in steps of {places}")


def bucket(row: Row) -> str:
    """Which counter an appraisal's row adds to: its grade once published, cancelled while
    it stands cancelled, else unpublished."""
    if row["cancelled"]:
        return "cancelled"
    return str(row["grade"]) if row["published"] else "unpublished"


def count_changes(old: Row | None, new: Row) -> dict[str, int]:
    """How the counters of the row's cell move when `old` becomes `new`."""
    after = bucket(new)
    if old is None:
        return {after: 1}
    before = bucket(old)
    return {} if before == after else {before: -1, after: 1}


MUTABLE = ("score_tenths", "grade", "published", "reward", "final", "cancelled")
COLUMNS = tuple(c.name for c in entries.columns)
# A row's values in these orders, as tuples (made in C: a generator per row took longer).
_columns, _mutable = operator.itemgetter(*COLUMNS), operator.itemgetter(*MUTABLE)
_cell = operator.itemgetter(*CELL)


class RankingView:
    """A row per appraisal and the counters of its cell, as the events leave them."""

    name = "ranking"
    topics = tuple(get_topic(e) for e in RANKING_EVENTS)
    tables = (entries, counts)
    parted = True  # its rows are an appraisal's; the counters are only added to

    def prepare(self, batch: Sequence[Recorded], dialect: Dialect) -> Prepared:
        """The rows of the appraisals opened in the batch and their counters' moves; the
        other appraisals' events."""
        opened, later = started_apart(batch, Appraisal.Opened)
        new = _folded(opened, {})
        return (bulk.ready(dialect, entries, COLUMNS, [_columns(row) for row in new.values()]),
                _moves(new, {}), later)

    def apply(self, conn: Connection, prepared: Prepared) -> None:
        """The other appraisals' events folded in memory from their rows, read once; then
        one write of each kind, whatever the batch's length."""
        new, opened, later = prepared
        stored = _stored(conn, {r.stream for r in later})
        rows = _folded(later, stored)
        moves = _moves(rows, stored)
        for cell, moved in opened.items():
            moves[cell].update(moved)  # adds (the prepared batch is left as it was)
        bulk.send(conn, new)
        bulk.update(conn, entries, "appraisal_id", MUTABLE, [
            (s, *_mutable(rows[s])) for s, row in stored.items() if rows[s] != row])
        for stream in {r.stream for r in later if isinstance(r.event, Appraisal.Restarted)} \
                & stored.keys():  # rare: the responsible members it was restarted with
            conn.execute(entries.update().where(entries.c.appraisal_id == stream).values(
                responsible_member_ids=rows[stream]["responsible_member_ids"]))
        bulk.upsert(conn, counts, CELL, BUCKETS, sorted(
            (*cell, *(moved[b] for b in BUCKETS)) for cell, moved in moves.items()
            if any(moved.values())))


def _moves(rows: Mapping[str, Row], stored: Mapping[str, Row]) -> Moves:
    """How the rows move their cells' counters, each from where it stood to where it is: a
    row's cell never changes."""
    moves: Moves = defaultdict(Counter)
    for stream, row in rows.items():
        moved = moves[_cell(row)]
        for counter, change in count_changes(stored.get(stream), row).items():
            moved[counter] += change
    return moves


def _folded(batch: Sequence[Recorded], stored: dict[str, Row]) -> dict[str, dict[str, Any]]:
    """Each appraisal's row after the batch (next_row, event by event), each copied once from
    the stored row and changed in place: a copy an event was a third of the view's work."""
    rows: dict[str, dict[str, Any]] = {}
    for _, domain_event, stream in batch:
        if isinstance(domain_event, Appraisal.Opened):
            rows[stream] = opened_row(domain_event, stream)
            continue
        if (row := rows.get(stream)) is None:
            rows[stream] = next_row(stored.get(stream), domain_event)
        else:
            advance(row, domain_event)
    return rows


def _stored(conn: Connection, streams: set[str]) -> dict[str, Row]:
    """The rows of these appraisals, by stream id (what an update needs of them)."""
    wanted = ("appraisal_id", *CELL, *MUTABLE)
    found: dict[str, Row] = {}
    for chunk in chunks(sorted(streams)):
        query = select(*(entries.c[c] for c in wanted)).where(entries.c.appraisal_id.in_(chunk))
        found |= {row[0]: dict(zip(wanted, row, strict=True))
                  for row in conn.execute(query).tuples()}
    return found

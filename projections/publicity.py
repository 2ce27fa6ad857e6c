"""公示 at a glance: each branch's postings by period, and the objections to posted results.

The postings themselves (their entries, frozen at posting) live in their Publicity stream;
this view lists them for a branch or an organisation, and counts what is open, for the
progress page. An objection's place (branch, period, zone) is its appraisal's, joined from
the appraisal index when read.
"""

from collections.abc import Sequence
from typing import Any

from eventsourcing.utils import get_topic
from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    DateTime,
    Index,
    Integer,
    String,
    Table,
    func,
    select,
)

from domain.appraisal import Appraisal
from domain.publicity import Publicity
from projections.appraisal_index import appraisals
from projections.tracking import PlainView, Recorded, metadata

boards = Table("publicity_boards", metadata,
               Column("stream", String(36), primary_key=True),
               Column("branch_id", String(), nullable=False),
               Column("period", String(7), nullable=False),
               Column("postings", Integer, nullable=False),  # how many, the latest last
               Column("state", String(10), nullable=False),  # none, open or closed
               Column("closes", DateTime(timezone=True)),  # the latest posting's window
               Column("as_of", DateTime(timezone=True)))
Index("ix_publicity_boards_period", boards.c.period, boards.c.branch_id)

objections = Table("publicity_objections", metadata,
                   Column("id", String(), primary_key=True),
                   Column("appraisal_id", String(36), nullable=False),
                   Column("raised_at", DateTime(timezone=True), nullable=False),
                   Column("answered", Boolean, nullable=False),
                   Column("upheld", Boolean))
Index("ix_publicity_objections_appraisal", objections.c.appraisal_id)

EVENTS = (Publicity.Started, Publicity.Posted, Publicity.Closed, Appraisal.ObjectionRaised,
          Appraisal.ObjectionAnswered)


class PublicityView(PlainView):
    """A row per branch's period that was posted, and one per objection."""

    name = "publicity"
    topics = tuple(get_topic(e) for e in EVENTS)
    tables = (boards, objections)

    def apply(self, conn: Connection, batch: Sequence[Recorded]) -> None:
        for _, event, stream in batch:  # a few a month per branch: one statement each
            if isinstance(event, Publicity.Started):
                conn.execute(boards.insert().values(
                    stream=stream, branch_id=event.branch_id, period=event.period, postings=0,
                    state="none"))
            elif isinstance(event, Publicity.Posted):
                conn.execute(boards.update().where(boards.c.stream == stream).values(
                    postings=boards.c.postings + 1, state="open", closes=event.closes,
                    as_of=event.as_of))
            elif isinstance(event, Publicity.Closed):
                conn.execute(boards.update().where(boards.c.stream == stream,
                                                   boards.c.postings == event.number)
                             .values(state="closed"))
            elif isinstance(event, Appraisal.ObjectionRaised):
                conn.execute(objections.insert().values(
                    id=event.objection, appraisal_id=stream, raised_at=event.timestamp,
                    answered=False))
            else:
                conn.execute(objections.update().where(objections.c.id == event.objection)
                             .values(answered=True, upheld=event.upheld))


def periods_posted(conn: Connection, branch_id: str) -> list[dict[str, Any]]:
    """The branch's posted periods, latest first, each with its postings' count and state."""
    query = (select(boards.c.period, boards.c.postings, boards.c.state, boards.c.stream)
             .where(boards.c.branch_id == branch_id, boards.c.postings > 0)
             .order_by(boards.c.period.desc()))
    return [dict(row._mapping) for row in conn.execute(query)]


def board_states(conn: Connection, period: str) -> dict[str, str]:
    """Each branch's latest posting of the period: open or closed (absent: not posted)."""
    query = select(boards.c.branch_id, boards.c.state).where(boards.c.period == period,
                                                             boards.c.postings > 0)
    return dict(conn.execute(query).tuples().all())


def open_objections(conn: Connection, period: str) -> dict[str, int]:
    """Objections not yet answered, by branch, to the period's results."""
    query = (select(appraisals.c.branch_id, func.count())
             .select_from(objections.join(appraisals,
                                          appraisals.c.id == objections.c.appraisal_id))
             .where(appraisals.c.period == period, objections.c.answered.is_(False))
             .group_by(appraisals.c.branch_id))
    return dict(conn.execute(query).tuples().all())

"""Following the event store: each view reads the notification log from its tracked position
and writes its rows and its new position in one transaction.

The same code serves SQLite and PostgreSQL: it reads the log (eventsourcing 9.5 cannot
subscribe to an SQLite store) and, on PostgreSQL, locks the view's position row so two
processes never apply one event twice.
"""

import contextlib
from collections.abc import Sequence
from typing import Any, Protocol

from eventsourcing.persistence import ApplicationRecorder, Mapper
from sqlalchemy import BigInteger, Column, Connection, Engine, MetaData, String, Table, select
from sqlalchemy.exc import IntegrityError

metadata = MetaData()

positions = Table(
    "projection_positions",
    metadata,
    Column("name", String(100), primary_key=True),
    Column("position", BigInteger, nullable=False),
)


class View(Protocol):
    """A read model: the event topics it reads and how one event changes its rows."""

    name: str
    topics: Sequence[str]
    tables: Sequence[Table]  # its rows, dropped and made anew by a rebuild

    def apply(self, conn: Connection, domain_event: Any) -> None: ...


class Follower:
    """Brings every view up to the end of the log; safe to run from many processes."""

    def __init__(self, reader: Engine, writer: Engine, recorder: ApplicationRecorder,
                 mapper: Mapper, views: Sequence[View], batch_size: int = 1000):
        self.reader, self.writer = reader, writer
        self.recorder, self.mapper = recorder, mapper
        self.views = list(views)
        self.batch_size = batch_size
        self._known: dict[str, int] = {}

    def create_tables(self) -> None:
        metadata.create_all(self.writer)
        for view in self.views:
            # Another process, or an earlier start, may have made it.
            with contextlib.suppress(IntegrityError), self.writer.begin() as conn:
                conn.execute(positions.insert().values(name=view.name, position=0))

    def catch_up(self) -> None:
        """Apply every event recorded so far: a read after a write's response sees it."""
        end = self.recorder.max_notification_id() or 0
        for view in self.views:
            while self._known.get(view.name, -1) < end:
                self._step(view, end)

    def _step(self, view: View, end: int) -> None:
        # The log is read before the write lock is taken, never under it: on SQLite an
        # event-store writer may hold the store's connection pool while it waits for that
        # lock, and reading the log under it would deadlock until the pool times out.
        query = select(positions.c.position).where(positions.c.name == view.name)
        with self.reader.connect() as conn:
            start = conn.execute(query).scalar_one()
        notifications = self.recorder.select_notifications(
            start=start, limit=self.batch_size, stop=end, topics=view.topics,
            inclusive_of_start=False,
        ) if start < end else []
        with self.writer.begin() as conn:
            position = conn.execute(query.with_for_update()).scalar_one()
            if position == start < end:  # else another runner moved it: read again
                for notification in notifications:
                    view.apply(conn, self.mapper.to_domain_event(notification))
                full = len(notifications) == self.batch_size
                position = notifications[-1].id if full else end
                conn.execute(positions.update().where(positions.c.name == view.name)
                             .values(position=position))
        self._known[view.name] = position

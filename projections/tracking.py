"""Following the event store: each view reads the notification log from its tracked position
and writes its rows and its new position in one transaction.

The same code serves SQLite and PostgreSQL: it reads the log (eventsourcing 9.5 cannot
subscribe to an SQLite store) and, on PostgreSQL, locks the views' position rows so two
processes never apply one event twice. Views that stand at the same position move together:
each event is read and decoded once for all of them, and their positions are written in the
same transaction as their rows.
"""

import contextlib
from collections.abc import Callable, Iterator, Sequence
from typing import Any, NamedTuple, Protocol

from eventsourcing.persistence import ApplicationRecorder, Mapper, Notification
from sqlalchemy import BigInteger, Column, Connection, Engine, MetaData, String, Table, select
from sqlalchemy.exc import IntegrityError

metadata = MetaData()

positions = Table(
    "projection_positions",
    metadata,
    Column("name", String(100), primary_key=True),
    Column("position", BigInteger, nullable=False),
)

# The views a rebuild has reset and not yet brought to the end of the log: a rebuild run
# again resumes them from their positions instead of starting over.
rebuilds = Table("projection_rebuilds", metadata, Column("name", String(100), primary_key=True))


class Recorded(NamedTuple):
    """An event as the log holds it: its position (notification id), the domain event and
    its aggregate's id as text (as the views store it: made once for all of them)."""

    position: int
    event: Any
    stream: str


class View(Protocol):
    """A read model: the event topics it reads and how a batch of them changes its rows."""

    name: str
    topics: Sequence[str]  # none: every event
    tables: Sequence[Table]  # its rows, dropped and made anew by a rebuild
    weight: int  # a batch's cost beside other views', for sharing a rebuild among processes

    def prepare(self, batch: Sequence[Recorded]) -> Any:
        """What can be worked out from the batch's events alone (its topics', in log order),
        before the write lock is taken."""

    def apply(self, conn: Connection, prepared: Any) -> None:
        """The prepared batch written, under the write lock, in as few statements as the view
        can (thousands of events a batch in a rebuild)."""


class PlainView:
    """A view with nothing to prepare: `apply` gets the batch itself."""

    weight = 1

    def prepare(self, batch: Sequence[Recorded]) -> Any:
        return batch


Progress = Callable[[int], None]  # told the position every chosen view has reached


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
        # A view's tables may also live on a MetaData of their own.
        metadata.create_all(self.writer, tables=[t for v in self.views for t in v.tables])
        for view in self.views:
            # Another process, or an earlier start, may have made it.
            with contextlib.suppress(IntegrityError), self.writer.begin() as conn:
                conn.execute(positions.insert().values(name=view.name, position=0))

    def forget(self, views: Sequence[View]) -> None:
        """Drop what this process knows of the views' positions (a rebuild moved them back)."""
        for view in views:
            self._known.pop(view.name, None)

    def catch_up(self, *, until: int | None = None, views: Sequence[View] | None = None,
                 progress: Progress | None = None, batch_size: int | None = None) -> None:
        """Apply every event recorded so far (or up to notification `until`) to the views
        (default: all): a read after a write's response sees it."""
        end = (self.recorder.max_notification_id() or 0) if until is None else until
        chosen = self.views if views is None else list(views)
        while behind := [v for v in chosen if self._known.get(v.name, -1) < end]:
            self._step(behind, end, batch_size or self.batch_size)
            if progress is not None:
                progress(min(self._known[v.name] for v in chosen))

    def _step(self, views: Sequence[View], end: int, batch_size: int) -> None:
        """Move the views furthest behind by one batch, or learn that others moved them."""
        # The log is read before the write lock is taken, never under it: on SQLite an
        # event-store writer may hold the store's connection pool while it waits for that
        # lock, and reading the log under it would deadlock until the pool times out.
        with self.reader.connect() as conn:
            starts = dict(conn.execute(_positions_of(views)).tuples().all())
        self._known.update(starts)
        start = min(starts.values())
        if start >= end:
            return
        group = [v for v in views if starts[v.name] == start]
        # Stop where the next view ahead stands, so that from there both move as one.
        stop = min([end, *(p for p in starts.values() if p > start)])
        topics = sorted({t for v in group for t in v.topics}) if all(
            v.topics for v in group) else []
        notifications = self.recorder.select_notifications(
            start=start, limit=batch_size, stop=stop, topics=topics,
            inclusive_of_start=False)
        prepared = self._prepare(group, notifications)
        with self.writer.begin() as conn:
            locked = dict(conn.execute(_positions_of(group).with_for_update()).tuples().all())
            if all(position == start for position in locked.values()):
                # Else another runner moved them since they were read: read again.
                for view, work in prepared:
                    view.apply(conn, work)
                full = len(notifications) == batch_size
                position = notifications[-1].id if full else stop
                conn.execute(positions.update().where(positions.c.name.in_(list(locked)))
                             .values(position=position))
                locked = dict.fromkeys(locked, position)
        self._known.update(locked)

    def _prepare(self, group: Sequence[View],
                 notifications: Sequence[Notification]) -> list[tuple[View, Any]]:
        """Each view's share of the batch, decoded once and prepared, outside the lock: a
        parallel rebuild's processes hold it only to write."""
        decoded = [(n.topic, Recorded(n.id, self.mapper.to_domain_event(n), str(n.originator_id)))
                   for n in notifications]
        prepared = []
        for view in group:
            wanted = set(view.topics)
            prepared.append((view, view.prepare(
                [r for topic, r in decoded if not wanted or topic in wanted])))
        return prepared


def _positions_of(views: Sequence[View]) -> Any:
    # In name order: runners locking several rows take them in the same order (no deadlock).
    return (select(positions.c.name, positions.c.position)
            .where(positions.c.name.in_([v.name for v in views])).order_by(positions.c.name))


def chunks(items: Sequence[Any], size: int = 500) -> Iterator[Sequence[Any]]:
    """IN lists of a bounded length."""
    for i in range(0, len(items), size):
        yield items[i:i + size]

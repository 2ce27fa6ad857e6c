"""Following the event store: each view reads the notification log from its tracked position
and writes its rows and its new position in one transaction.

The same code serves SQLite and PostgreSQL: it reads the log (eventsourcing 9.5 cannot
subscribe to an SQLite store) and, on PostgreSQL, locks the views' position rows so two
processes never apply one event twice. Views that stand at the same position move together:
each event is read and decoded once for all of them, and their positions are written in the
same transaction as their rows.

A rebuild may bring a view up in parts, each part the events of a share of the streams
(`Part`) with a position row of its own, in processes of their own: each process reads the
log and decodes only its part's events. Meanwhile the view's own position stands at PARTED
and runners leave it alone; the rebuild moves it to the end once every part is there.
"""

import contextlib
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, NamedTuple, Protocol

from eventsourcing.persistence import Mapper, Notification
from sqlalchemy import (
    BigInteger,
    Column,
    ColumnElement,
    Connection,
    Engine,
    Index,
    MetaData,
    String,
    Table,
    Text,
    inspect,
    select,
    text,
)
from sqlalchemy import exc as database
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import IntegrityError

from projections.collector import collector_paused
from projections.decoding import Decoder

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

# The views that failed on an event: where (the event's position) and why. A table of its own
# beside the positions (which stores made before it lack a column for it), written in a
# transaction of its own once the batch that failed is rolled back.
failures = Table(
    "projection_failures",
    metadata,
    Column("name", String(100), primary_key=True),  # the view's (never one of its parts')
    Column("position", BigInteger, nullable=False),
    Column("error", Text, nullable=False),
)
ERROR_CHARS = 2000  # of the error's text, kept

# A view's position while a rebuild brings it up in parts.
PARTED = -1

# Index(..., info=BUILT_LAST): an index that only reads use, which a rebuild in parts drops
# and builds once at its end. A B-tree built from sorted keys costs a fraction of one kept up
# key by key in random order: at 100,000 zones, its pages outgrow PostgreSQL's buffers, and
# each key's page is read, written out and logged again (full-page images after each
# checkpoint).
BUILT_LAST = {"built_last": True}

# Tables older versions kept and this one does not, dropped when the views' tables are made:
# the archive's copy of every event's history entry (projections.archive), the responsible
# members at opening a row each (projections.signers holds them with the steps' signers).
RETIRED = ("archive_events", "appraisal_opened_responsibles")


class Recorded(NamedTuple):
    """An event as the log holds it: its position (notification id), the domain event and
    its aggregate's id as text (as the views store it: made once for all of them)."""

    position: int
    event: Any
    stream: str


class Failure(NamedTuple):
    """A view stopped at the event it could not take: its position and the error."""

    view: str
    position: int
    error: str


class ViewFailedError(Exception):
    """A read of a view that failed on an event: it stands before that event until an
    operator rebuilds it (`appraisal projections rebuild --view NAME`)."""

    def __init__(self, failure: Failure):
        super().__init__(f"the read model {failure.view!r} failed on event {failure.position} "
                         "and is not current until it is rebuilt")
        self.failure = failure


def started_apart(batch: Sequence[Recorded], start: type
                  ) -> tuple[list[Recorded], list[Recorded]]:
    """The batch's events of the streams a `start` event begins in it, and the others': a
    view folds the first without reading a stored row, outside the write lock (a rebuild's
    parts wait for each other's)."""
    begun = {r.stream for r in batch if isinstance(r.event, start)}
    return [r for r in batch if r.stream in begun], [r for r in batch if r.stream not in begun]


class Part(NamedTuple):
    """The streams whose id's last byte leaves `index` divided by `count`: a rebuild's
    share of a view that can be brought up in parts."""

    index: int  # type: ignore[assignment]  # the field shadows tuple.index, as meant
    count: int  # type: ignore[assignment]  # and this one tuple.count

    def track(self, name: str) -> str:
        """The name of the part's position row."""
        return f"{name}:{self.index}/{self.count}"


def built_last(view: "View") -> list[Index]:
    """The view's indexes that a rebuild in parts builds at its end (BUILT_LAST)."""
    return sorted((index for table in view.tables for index in table.indexes
                   if index.info.get("built_last")), key=lambda index: str(index.name))


def missing_built_last(conn: Connection, view: "View") -> list[Index]:
    """The view's BUILT_LAST indexes that its tables lack (a rebuild has not built yet)."""
    found = inspect(conn)
    made = {index["name"] for table in view.tables if set(table.indexes) & set(built_last(view))
            for index in found.get_indexes(table.name)}
    return [index for index in built_last(view) if index.name not in made]


def view_of(track: str) -> str:
    """The view a position row belongs to: its own, or one of its parts' (Part.track)."""
    return track.partition(":")[0]


def part_of(track: str) -> Part | None:
    """The part a position row tracks (Part.track); None for a view's own."""
    _, _, part = track.partition(":")
    if not part:
        return None
    index, _, count = part.partition("/")
    return Part(int(index), int(count))


def parts_of(view: str) -> ColumnElement[bool]:
    """Which position rows are the view's parts' (Part.track), as an SQL condition."""
    return positions.c.name.startswith(f"{view}:", autoescape=True)


class Log(Protocol):
    """The event store's notification log, as the views read it (store.recorders)."""

    def max_notification_id(self) -> int | None: ...

    def read_notifications(self, after: int, stop: int, limit: int, topics: Sequence[str],
                           part: Part | None) -> Sequence[Notification]:
        """Up to `limit` notifications after `after` up to `stop`, in log order: of these
        topics (none: all) and of the streams in `part` (None: all)."""

    def read_streams(self, ids: Sequence[str]) -> Sequence[Notification]:
        """Every event of these streams (ids as text), each stream's in version order."""


class View(Protocol):
    """A read model: the event topics it reads and how a batch of them changes its rows."""

    name: str

    # Read-only, so that a view may hold them as tuples.
    @property
    def topics(self) -> Sequence[str]:
        """The topics of the events it reads; none: every event."""

    @property
    def tables(self) -> Sequence[Table]:
        """Its rows, dropped and made anew by a rebuild."""

    # Whether a rebuild may bring it up in parts: a stream's rows follow from that stream's
    # events alone, and rows that streams share are only ever added to.
    parted: bool

    def prepare(self, batch: Sequence[Recorded], dialect: Dialect) -> Any:
        """What can be worked out from the batch's events alone (its topics', in log order),
        before the write lock is taken: new rows made ready for the writer's `dialect`
        (projections.bulk.ready), so that a rebuild's parts hold the lock only to send them."""

    def apply(self, conn: Connection, prepared: Any) -> None:
        """The prepared batch written, under the write lock, in as few statements as the view
        can (thousands of events a batch in a rebuild)."""


class PlainView:
    """A view with nothing to prepare: `apply` gets the batch itself."""

    parted = False

    def prepare(self, batch: Sequence[Recorded], dialect: Dialect) -> Any:
        return batch


Progress = Callable[[int], None]  # told the position every chosen view has reached


class Follower:
    """Brings every view up to the end of the log; safe to run from many processes."""

    def __init__(self, reader: Engine, writer: Engine, recorder: Log,
                 mapper: Mapper, views: Sequence[View], batch_size: int = 1000):
        self.reader, self.writer = reader, writer
        self.recorder, self.mapper = recorder, mapper
        self._decode = Decoder(mapper)
        self.views = list(views)
        self.batch_size = batch_size
        self._known: dict[str, int] = {}

    def create_tables(self) -> None:
        with self.writer.begin() as conn:  # what older versions kept and this one does not
            for name in RETIRED:
                conn.execute(text(f"DROP TABLE IF EXISTS {name}"))
        metadata.create_all(self.writer)
        # A view's tables may also live on a MetaData of their own.
        metadata.create_all(self.writer, tables=[t for v in self.views for t in v.tables])
        for view in self.views:
            # Another process, or an earlier start, may have made it.
            with contextlib.suppress(IntegrityError), self.writer.begin() as conn:
                conn.execute(positions.insert().values(name=view.name, position=0))
        # A rebuild in one process builds the indexes only reads use at its end: interrupted,
        # it leaves them to be made here (a view in parts is left to its rebuild).
        with self.writer.begin() as conn:
            standing = dict(conn.execute(_positions_of(v.name for v in self.views)).tuples().all())
            for view in self.views:
                if standing.get(view.name) != PARTED:
                    for index in missing_built_last(conn, view):
                        index.create(conn)

    def outdated(self) -> list[View]:
        """The views whose tables in the store lack a column the code writes (made by an
        older version of it): they must be made anew (rebuild.reset)."""
        with self.reader.connect() as conn:
            found = inspect(conn)
            return [view for view in self.views if any(
                {c.name for c in table.columns} - {c["name"] for c in
                                                   found.get_columns(table.name)}
                for table in view.tables)]

    def streams(self, ids: Sequence[str]) -> dict[str, list[Recorded]]:
        """The events of these streams (a few hundred at a time), read from the log and
        decoded, by stream, each stream's in order."""
        found: dict[str, list[Recorded]] = {}
        for notification in self.recorder.read_streams(ids):
            recorded = Recorded(notification.id, *self._decode(notification))
            found.setdefault(recorded.stream, []).append(recorded)
        return found

    def forget(self, views: Sequence[View]) -> None:
        """Drop what this process knows of the views' positions (a rebuild moved them back)."""
        names = {view.name for view in views}
        for name in list(self._known):
            if view_of(name) in names:
                del self._known[name]

    def failed(self) -> dict[str, Failure]:
        """The views that failed on an event, by name, as recorded by any process."""
        with self.reader.connect() as conn:
            return _failures(conn)

    def reached(self, names: Sequence[str], after: int, timeout: float) -> int:
        """Wait, up to `timeout` seconds, until the named views have applied event `after`
        (a worker moves them): 0 once they have, else how many events they stand behind it.
        ViewFailedError if one of them has failed: it stays before its event until rebuilt."""
        if unknown := set(names) - {view.name for view in self.views}:
            raise ValueError(f"no such read models: {', '.join(sorted(unknown))}")
        deadline, pause = time.monotonic() + timeout, 0.001
        while True:
            with self.reader.connect() as conn:
                if failed := _failures(conn, set(names)):
                    raise ViewFailedError(failed[min(failed)])
                at = dict(conn.execute(_positions_of(names)).tuples().all())
            lowest = max(min(at.get(name, 0) for name in names), 0)  # PARTED: from the start
            if lowest >= after:
                return 0
            if pause == 0.001:  # once: a position beyond the log (a wrong echo) is its end
                after = min(after, self.recorder.max_notification_id() or 0)
                if lowest >= after:
                    return 0
            if (left := deadline - time.monotonic()) <= 0:
                return after - lowest
            time.sleep(min(pause, left))
            pause = min(pause * 2, 0.02)

    def catch_up(self, *, until: int | None = None, views: Sequence[View] | None = None,
                 progress: Progress | None = None, batch_size: int | None = None,
                 part: Part | None = None) -> None:
        """Apply every event recorded so far (or up to notification `until`) to the views
        (default: all), or to a `part` of them. Views a rebuild is bringing up in parts are
        left to it, and failed views alone."""
        end = (self.recorder.max_notification_id() or 0) if until is None else until
        tracks = {(v.name if part is None else part.track(v.name)): v
                  for v in (self.views if views is None else views)}
        while behind := {n: v for n, v in tracks.items() if self._known.get(n, PARTED) < end}:
            with collector_paused():
                left = self._step(behind, end, batch_size or self.batch_size, part)
            for name in left:
                del tracks[name]
            if progress is not None and tracks:
                progress(min(self._known[name] for name in tracks))

    def _step(self, tracks: dict[str, View], end: int, batch_size: int,
              part: Part | None) -> list[str]:
        """Move the tracks (position rows and their views) furthest behind by one batch, or
        learn that others moved them. The tracks it leaves alone: PARTED (a rebuild's), gone
        (a rebuild in parts finished), or of a failed view."""
        # The log is read before the write lock is taken, never under it: on SQLite an
        # event-store writer may hold the store's connection pool while it waits for that
        # lock, and reading the log under it would deadlock until the pool times out.
        with self.reader.connect() as conn:
            starts = dict(conn.execute(_positions_of(tracks)).tuples().all())
            failed = set(_failures(conn, {view_of(name) for name in tracks}))
        self._known.update(starts)
        left = [name for name in tracks
                if starts.get(name, PARTED) == PARTED or view_of(name) in failed]
        starts = {name: position for name, position in starts.items() if name not in left}
        if not starts or (start := min(starts.values())) >= end:
            return left
        group = {name: tracks[name] for name, position in starts.items() if position == start}
        # Stop where the next view ahead stands, so that from there both move as one.
        stop = min([end, *(p for p in starts.values() if p > start)])
        views = list(group.values())
        topics = sorted({t for v in views for t in v.topics}) if all(
            v.topics for v in views) else []
        notifications = self.recorder.read_notifications(start, stop, batch_size, topics, part)
        # A full batch ends at its last event; a short one has read up to `stop`.
        reached = notifications[-1].id if len(notifications) == batch_size else stop
        try:
            self._write(group, start, notifications, reached)
        except Exception as error:
            if self._transient(error):
                raise
            # One of them (or more) cannot take an event of the batch: each on its own.
            for name, view in group.items():
                self._isolate(name, view, start, notifications, reached)
        return left

    def _write(self, tracks: dict[str, View], start: int,
               notifications: Sequence[Notification], position: int) -> bool:
        """Apply the notifications to the tracks' views and move them to `position`, in one
        transaction, if they still stand at `start`: whether they did."""
        prepared = self._prepare(list(tracks.values()), notifications)
        with self.writer.begin() as conn:
            locked = dict(conn.execute(_positions_of(tracks).with_for_update()).tuples().all())
            moved = len(locked) == len(tracks) and all(p == start for p in locked.values())
            if moved:
                # Else another runner moved them (or a rebuild removed a part) since they
                # were read: read again.
                for view, work in prepared:
                    view.apply(conn, work)
                conn.execute(positions.update().where(positions.c.name.in_(list(locked)))
                             .values(position=position))
                locked = dict.fromkeys(locked, position)
        self._known.update(locked)
        return moved

    def _isolate(self, name: str, view: View, start: int,
                 notifications: Sequence[Notification], position: int) -> None:
        """Apply the batch to one view alone; if it fails, find the event it fails on by
        halving what is left (each half that goes through is kept), and mark the view failed
        there. The error is taken as the event's only once that event fails on its own too."""
        at, done, failing = start, 0, len(notifications)  # [done:failing] fails from `at`
        try:
            self._write({name: view}, start, notifications, position)
            return
        except Exception as error:
            if self._transient(error) or not notifications:
                raise
        while True:
            middle = (done + failing + 1) // 2 if failing - done > 1 else failing
            try:
                if not self._write({name: view}, at, notifications[done:middle],
                                   notifications[middle - 1].id):
                    return  # another runner moved it: read again
            except Exception as error:
                if self._transient(error):
                    raise
                if middle == done + 1:
                    self._fail(name, at, notifications[done].id, error)
                    return
                failing = middle
                continue
            if middle == failing:
                return  # went through this time: not the events'
            at, done = notifications[middle - 1].id, middle

    def _fail(self, name: str, at: int, position: int, error: Exception) -> None:
        """Mark the track's view failed at the event `position`, the track moved up to just
        before it (from `at`, where it stands), unless another runner was first."""
        view = view_of(name)
        text = f"{type(error).__name__}: {error}"[:ERROR_CHARS]
        with contextlib.suppress(IntegrityError), self.writer.begin() as conn:
            locked = dict(conn.execute(_positions_of([name]).with_for_update()).tuples().all())
            marked = conn.execute(select(failures.c.name).where(failures.c.name == view)).first()
            if locked.get(name) == at and marked is None:
                conn.execute(positions.update().where(positions.c.name == name)
                             .values(position=position - 1))
                conn.execute(failures.insert().values(name=view, position=position, error=text))
        self._known[name] = at  # behind still: the next step reads that it failed

    def _transient(self, error: Exception) -> bool:
        """An error of the database (its connection, a lock, a timeout), not of the events:
        the batch is tried again by the next catch-up, the view not marked."""
        dbapi = self.writer.dialect.loaded_dbapi
        kinds: tuple[type[BaseException], ...] = (
            database.OperationalError, database.InterfaceError, database.TimeoutError,
            MemoryError)
        if dbapi is not None:
            kinds += (dbapi.OperationalError, dbapi.InterfaceError)
        return isinstance(error, kinds)

    def _prepare(self, views: Sequence[View],
                 notifications: Sequence[Notification]) -> list[tuple[View, Any]]:
        """Each view's share of the batch (its topics), each event decoded once for all of
        them, and prepared outside the lock: a parallel rebuild's processes hold it only to
        write."""
        # Each event any of them reads decoded once, and handed to those that read it, in
        # log order: one pass (one a view, each over the whole batch, took a sixth as long
        # as the decoding).
        wanted = [frozenset(view.topics) for view in views]
        shares: list[list[Recorded]] = [[] for _ in views]
        takers: dict[str, list[list[Recorded]]] = {}  # by topic: the shares that take it
        for n in notifications:
            if (taking := takers.get(n.topic)) is None:
                taking = takers[n.topic] = [
                    share for share, topics in zip(shares, wanted, strict=True)
                    if not topics or n.topic in topics]
            if taking:
                recorded = Recorded(n.id, *self._decode(n))
                for share in taking:
                    share.append(recorded)
        return [(view, view.prepare(share, self.writer.dialect))
                for view, share in zip(views, shares, strict=True)]


def _failures(conn: Connection, names: set[str] | None = None) -> dict[str, Failure]:
    """The views that failed on an event, by name: the named ones (default: all)."""
    query = select(failures.c.name, failures.c.position, failures.c.error).order_by(
        failures.c.name)
    if names is not None:
        query = query.where(failures.c.name.in_(sorted(names)))
    rows = conn.execute(query).tuples().all()
    return {name: Failure(name, position, error) for name, position, error in rows}


def _positions_of(names: Iterable[str]) -> Any:
    # In name order: runners locking several rows take them in the same order (no deadlock).
    return (select(positions.c.name, positions.c.position)
            .where(positions.c.name.in_(list(names))).order_by(positions.c.name))


def chunks(items: Sequence[Any], size: int = 500) -> Iterator[Sequence[Any]]:
    """IN lists of a bounded length."""
    for i in range(0, len(items), size):
        yield items[i:i + size]

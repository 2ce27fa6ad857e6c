"""Event-store recorders as the service configures them (by topic, in store.engines).

SQLite, group commit: saves used to take the store's one writer connection in turn, a disk
sync each, and readers queued behind the waiting writers. Here the saves that arrive while a
batch commits are committed together in the next transaction, each under its own savepoint,
so a save that conflicts fails alone and the others still commit.

PostgreSQL: eventsourcing's insert function (POSTGRES_ENABLE_DB_FUNCTIONS: one round trip
instead of several) does not take the table lock its plain path takes, so notification ids
could commit out of order and a reader tailing the log could pass over an event for good.
This recorder's function takes the same lock.

Both end each transaction that records events by extending the ledger (store.ledger) with
them, so that no event is ever stored without its chain hash and place in the Merkle tree:
on SQLite in Python before the commit, on PostgreSQL in the insert function itself.

Both read the log for the read models (`read_notifications`, projections.tracking.Log) as
plain tuples, and for a rebuild's part only that part's events (by the last byte of their
stream's id): the library's `select_notifications` builds a row mapping and a UUID for each,
which took four times as long as the query on SQLite.
"""

import contextlib
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.persistence import (
    IntegrityError,
    InterfaceError,
    Notification,
    OperationalError,
    PersistenceError,
    StoredEvent,
)
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor, SQLiteTransaction
from eventsourcing.utils import retry
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Identifier, Literal

from projections.tracking import Part
from store.ledger import (
    CHUNK,
    SQLITE,
    Ledger,
    create_statements,
    dialect,
    postgres_statements,
)

# A stream id's last byte, which shares out a rebuild's parts.
_POSTGRES_LAST_BYTE = "get_byte(uuid_send(originator_id), 15)"


def _sqlite_part(part: Part) -> tuple[str, list[str]]:
    """SQL that holds for the part's events on SQLite, and its parameters: the last byte of
    their stream id (kept as 32 hex digits) one of a list, which SQLite looks up in a B-tree.
    Computing the byte from the digits took as long as reading the rows it kept."""
    last_bytes = [f"{b:02x}" for b in range(256) if b % part.count == part.index]
    return f"substr(originator_id, 31, 2) IN ({', '.join('?' * len(last_bytes))})", last_bytes


def _notifications(rows: Iterable[Sequence[Any]]) -> list[Notification]:
    """Rows of (id, originator_id, originator_version, topic, state) as the library's
    notifications, each given its fields at once: its frozen dataclass's __init__ sets them
    one by one through object.__setattr__, a third of the time a rebuild took to read."""
    made = []
    for ident, originator_id, version, topic, state in rows:
        notification = object.__new__(Notification)
        object.__setattr__(notification, "__dict__", {
            "originator_id": originator_id, "originator_version": version, "topic": topic,
            "state": state, "id": ident})
        made.append(notification)
    return made


def _events_query(base: str, mark: str, gt: int | None, lte: int | None, desc: bool,
                  limit: int | None) -> tuple[str, list[Any]]:
    """eventsourcing's query for a stream's events as plain text, after `base` (which takes
    the stream's id), and its other parameters; `mark` is the driver's placeholder."""
    sql, params = base, []
    for operator, value in ((">", gt), ("<=", lte)):
        if value is not None:
            sql += f" AND originator_version {operator} {mark}"
            params.append(value)
    sql += f" ORDER BY originator_version {'DESC' if desc else 'ASC'}"
    if limit is not None:
        sql += f" LIMIT {mark}"
        params.append(limit)
    return sql, params


class LedgerRecorder(Protocol):
    """What both recorders offer beyond eventsourcing's: the ledger and the log as read."""

    ledger: Ledger

    def use_hash(self, name: str) -> None: ...

    def catch_up_ledger(self) -> int:
        """Hash a store's events from before the ledger, or loaded in bulk into an empty
        store (store.ledger.Ledger.backfill_bound); how many. LedgerError if an event was
        written around a ledger that holds some."""
        ...

    def ledger_transaction(self) -> contextlib.AbstractContextManager[Any]: ...

    def ledger_cursor(self, *, write: bool = False) -> contextlib.AbstractContextManager[Any]: ...

    def read_notifications(self, after: int, stop: int, limit: int, topics: Sequence[str],
                           part: Part | None) -> list[Notification]: ...

    def read_streams(self, ids: Sequence[str]) -> list[Notification]: ...


class _LedgerKeeping:
    """What both recorders do with the ledger the same way, through `ledger_transaction`."""

    ledger: Ledger

    def ledger_transaction(self) -> contextlib.AbstractContextManager[Any]:
        raise NotImplementedError

    def use_hash(self, name: str) -> None:
        """Hash the ledger with `name`: recorded by a new store, checked by an old one."""
        self.ledger = Ledger(self.ledger.dialect, name)
        with self.ledger_transaction() as cursor:
            self.ledger.check_hash(cursor)

    def catch_up_ledger(self) -> int:
        """LedgerRecorder.catch_up_ledger, a transaction of store.ledger.CHUNK events at a
        time."""
        with self.ledger_transaction() as cursor:
            bound = self.ledger.backfill_bound(cursor)
        done = 0
        while bound is not None:
            with self.ledger_transaction() as cursor:
                count = self.ledger.extend(cursor, stop=bound)
                done += count
                if count < CHUNK:
                    self.ledger.backfilled(cursor)
                    bound = None
        if done:
            with self.ledger_transaction() as cursor:
                self.ledger.analyze(cursor)
        return done


class _Save:
    """One caller's events, waiting for the batch they are committed in."""

    def __init__(self, stored_events: Sequence[StoredEvent]):
        self.stored_events = stored_events
        self.ids: Sequence[int] | None = None
        self.error: Exception | None = None
        self.done = False
        # Held until the caller is woken: its batch committed, or its turn to commit one.
        self._asleep = threading.Lock()
        self._asleep.acquire()

    def sleep(self) -> None:
        self._asleep.acquire()

    def wake(self) -> None:
        self._asleep.release()

    def result(self) -> Sequence[int] | None:
        if self.error is not None:
            raise self.error
        return self.ids


class _ImmediateTransaction(SQLiteTransaction):
    """eventsourcing's transaction, begun with the write lock taken. One begun plainly that
    reads first (a checkpoint reads the tree, then saves) cannot write once another
    connection, the read models' worker say, has committed since its read: in WAL mode
    SQLite answers "database is locked" at once, without waiting for the lock."""

    def __enter__(self) -> SQLiteCursor:
        cursor = self.connection.cursor()
        cursor.execute("BEGIN IMMEDIATE")
        return cursor


class _GroupCommit:
    """Saves that arrive while a batch commits are committed together in the next
    transaction (`_commit`), each apart from the others: one that conflicts fails alone."""

    def _start_group_commit(self) -> None:
        self._turns = threading.Lock()
        self._waiting: list[_Save] = []
        self._committing = False

    def insert_events(self, stored_events: Sequence[StoredEvent],
                      **kwargs: Any) -> Sequence[int] | None:
        save = _Save(stored_events)
        with self._turns:
            self._waiting.append(save)
            waits, self._committing = self._committing, True
        if waits:
            save.sleep()
            if save.done:
                return save.result()
        # This caller commits everyone waiting, itself included; then wakes each of them
        # once, and the first to have arrived since, whose turn it is to commit (a condition
        # notified to all woke every waiter for each batch, only for most to wait again).
        with self._turns:
            batch, self._waiting = self._waiting, []
        try:
            self._commit_each(batch)
        finally:
            with self._turns:
                after = self._waiting[0] if self._waiting else None
                self._committing = after is not None
            for done in batch:
                if done is not save:
                    done.wake()
            if after is not None:
                after.wake()
        return save.result()

    def _commit_each(self, batch: list[_Save]) -> None:
        try:
            self._commit(batch)
        except Exception as error:  # the transaction failed: none of it is recorded
            failure = error if isinstance(error, PersistenceError) else PersistenceError(error)
            failure.__cause__ = failure.__cause__ or error
            for save in batch:
                save.error = save.error or failure
        finally:
            for save in batch:
                if save.ids is None and save.error is None:
                    save.error = PersistenceError("the commit was interrupted")
                save.done = True

    def _commit(self, batch: list[_Save]) -> None:
        """Record the batch in one transaction: each save's positions, or its IntegrityError
        where it conflicts (and only it is not recorded)."""
        raise NotImplementedError


class GroupCommitSQLiteRecorder(_GroupCommit, _LedgerKeeping, SQLiteApplicationRecorder):
    """Commits the saves that arrive together in one transaction, one savepoint each."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.ledger = Ledger(dialect(SQLITE, self.events_table_name))
        self._start_group_commit()

    def construct_create_table_statements(self) -> list[str]:
        return [*super().construct_create_table_statements(),
                *create_statements(dialect(SQLITE, self.events_table_name))]

    @contextlib.contextmanager
    def ledger_cursor(self, *, write: bool = False) -> Iterator[Any]:
        """A cursor in a transaction of its own, for the ledger's tables (store.ledger,
        store.checkpoints); committed at the end if `write`."""
        if not write:
            with self.datastore.transaction(commit=False) as cursor:
                yield cursor
            return
        with self.datastore.get_connection(commit=True) as conn, \
                _ImmediateTransaction(conn, commit=True) as cursor, cursor:
            yield cursor

    def ledger_transaction(self) -> contextlib.AbstractContextManager[Any]:
        """A transaction that may extend the ledger: SQLite's one write transaction."""
        return self.ledger_cursor(write=True)

    def _commit(self, batch: list[_Save]) -> None:
        with self.datastore.transaction(commit=True) as cursor:
            for save in batch:
                cursor.execute("SAVEPOINT save")
                try:
                    save.ids = self._insert_events(cursor, save.stored_events)
                except sqlite3.IntegrityError as error:
                    cursor.execute("ROLLBACK TO save")
                    save.error = IntegrityError(error)
                cursor.execute("RELEASE save")
            written = [i for save in batch for i in save.ids or ()]
            if written:
                self.ledger.extend(cursor, written=written)

    def select_events(self, originator_id: UUID | str, *, gt: int | None = None,
                      lte: int | None = None, desc: bool = False,
                      limit: int | None = None) -> Sequence[StoredEvent]:
        """eventsourcing's, its one SELECT run on its own: in autocommit mode a statement
        reads one snapshot of the file, and the BEGIN and ROLLBACK around it were two more
        calls into SQLite on every load of an aggregate, each giving the GIL up."""
        sql, params = _events_query(self.select_events_statement, "?", gt, lte, desc, limit)
        stream = originator_id.hex if isinstance(originator_id, UUID) else originator_id
        with self.datastore.get_connection(commit=False) as connection, \
                connection.cursor() as cursor:
            cursor.execute(sql, [stream, *params])
            rows = cursor.fetchall()
        return [StoredEvent(originator_id=self.convert_originator_id(row["originator_id"]),
                            originator_version=row["originator_version"], topic=row["topic"],
                            state=row["state"]) for row in rows]

    def read_notifications(self, after: int, stop: int, limit: int, topics: Sequence[str],
                           part: Part | None) -> list[Notification]:
        sql = (f"SELECT rowid, originator_id, originator_version, topic, state "
               f"FROM {self.events_table_name} WHERE rowid > ? AND rowid <= ?")
        params: list[Any] = [after, stop]
        if topics:
            sql += f" AND topic IN ({', '.join('?' * len(topics))})"
            params += topics
        if part is not None:
            held, last_bytes = _sqlite_part(part)
            sql += f" AND {held}"
            params += last_bytes
        with self.datastore.transaction(commit=False) as cursor:
            # Plain tuples, not sqlite3.Row: on the sqlite3 cursor that eventsourcing's wraps.
            cursor.sqlite_cursor.row_factory = None
            cursor.execute(f"{sql} ORDER BY rowid LIMIT ?", [*params, limit])
            return _notifications(cursor.fetchall())

    def read_streams(self, ids: Sequence[str]) -> list[Notification]:
        """The events of these streams (ids as text), each stream's in order, by its key."""
        sql = (f"SELECT rowid, originator_id, originator_version, topic, state "
               f"FROM {self.events_table_name} WHERE originator_id IN "
               f"({', '.join('?' * len(ids))}) ORDER BY originator_id, originator_version")
        with self.datastore.transaction(commit=False) as cursor:
            cursor.sqlite_cursor.row_factory = None
            cursor.execute(sql, [UUID(i).hex for i in ids])
            return _notifications(cursor.fetchall())


class LockingPostgresRecorder(_GroupCommit, _LedgerKeeping, PostgresApplicationRecorder):
    """Group commit by an insert function of the service's own: the saves that arrive while
    a batch commits are recorded together (one transaction, one sync to disk), each in a
    subtransaction of its own, so that one that conflicts fails alone. The function takes
    the table lock of eventsourcing's plain insert path (its own function does not), which
    keeps positions in commit order; a save at a time under it, each commit's sync held
    every other save back. It takes the events' columns as arrays: psycopg wrote each event
    as the library's composite type in Python."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.sql_create_statements[self.create_insert_function_statement_index] = SQL(
            "CREATE OR REPLACE FUNCTION {schema}.{function}(saves int[], ids uuid[], "
            "versions bigint[], topics text[], states bytea[]) "
            "RETURNS TABLE (save_index int, written_position bigint) "
            "LANGUAGE plpgsql AS $BODY$ "
            "DECLARE s int; got bigint[]; written bigint[] := '{{}}'; BEGIN "
            "SET LOCAL lock_timeout = {timeout}; "
            "LOCK TABLE {schema}.{table} IN EXCLUSIVE MODE; "
            "NOTIFY {channel}; "
            "FOR s IN SELECT DISTINCT x FROM unnest(saves) AS x ORDER BY x LOOP "
            "BEGIN "
            "WITH inserted AS (INSERT INTO {schema}.{table} AS t "
            "(originator_id, originator_version, topic, state) "
            "SELECT e.id, e.version, e.topic, e.state "
            "FROM unnest(saves, ids, versions, topics, states) WITH ORDINALITY "
            "AS e(save, id, version, topic, state, n) WHERE e.save = s ORDER BY e.n "
            "RETURNING notification_id) "
            "SELECT array_agg(notification_id ORDER BY notification_id) INTO got "
            "FROM inserted; "
            "written := written || got; "
            "RETURN QUERY SELECT s, unnest(got); "
            "EXCEPTION WHEN unique_violation THEN RETURN QUERY SELECT s, NULL::bigint; "
            "END; "
            "END LOOP; "
            "PERFORM {schema}.ledger_extend(written); "
            "END; $BODY$"
        ).format(
            schema=Identifier(self.datastore.schema),
            function=Identifier(self.pg_function_name_insert_events),
            timeout=Literal(f"{self.datastore.lock_timeout}s"),
            table=Identifier(self.events_table_name),
            channel=Identifier(self.channel_name),
        )
        ledger = dialect("postgresql", self.events_table_name, self.datastore.schema)
        # The ledger's tables and function before the insert function that calls it.
        self.sql_create_statements[self.create_insert_function_statement_index:
                                   self.create_insert_function_statement_index] = [
            SQL(s).format() for s in [*create_statements(ledger), *postgres_statements(ledger)]]
        self.ledger = Ledger(ledger)
        self._lock_events = SQL("LOCK TABLE {schema}.{table} IN EXCLUSIVE MODE").format(
            schema=Identifier(self.datastore.schema), table=Identifier(self.events_table_name))
        self._select_sql = self.select_events_statement.as_string()
        self._insert_sql = SQL(
            "SELECT * FROM {schema}.{function}(%s::int[], %s::uuid[], %s::bigint[], "
            "%s::text[], %s::bytea[])").format(
                schema=Identifier(self.datastore.schema),
                function=Identifier(self.pg_function_name_insert_events)).as_string()
        self._start_group_commit()

    def _commit(self, batch: list[_Save]) -> None:
        columns: tuple[list[Any], ...] = ([], [], [], [], [])
        for n, save in enumerate(batch):
            for e in save.stored_events:
                for column, value in zip(columns, (n, e.originator_id, e.originator_version,
                                                   e.topic, e.state), strict=True):
                    column.append(value)
        written: dict[int, list[int]] = {n: [] for n in range(len(batch))}
        for n, position in self._record(columns):
            if position is None:
                batch[n].error = IntegrityError("another save recorded the stream's version")
            else:
                written[n].append(position)
        for n, save in enumerate(batch):
            if save.error is None:
                save.ids = written[n]

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def _record(self, columns: tuple[list[Any], ...]) -> list[tuple[int, int | None]]:
        """The insert function's answer: each save's positions, or (save, None) for a save
        that conflicted."""
        with self.datastore.get_connection() as connection, \
                connection.cursor(row_factory=tuple_row) as cursor:
            cursor.execute(self._insert_sql, columns, prepare=True)
            return cursor.fetchall()

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def select_events(self, originator_id: UUID | str, *, gt: int | None = None,
                      lte: int | None = None, desc: bool = False,
                      limit: int | None = None) -> Sequence[StoredEvent]:
        """eventsourcing's, its statement plain text: psycopg composed the library's and
        rendered it again (identifiers escaped through libpq) on every load of an aggregate;
        a plain statement's conversion it keeps."""
        sql, params = _events_query(self._select_sql, "%s", gt, lte, desc, limit)
        with self.datastore.get_connection() as connection, connection.cursor() as cursor:
            cursor.execute(sql, [originator_id, *params], prepare=True)
            rows = cursor.fetchall()
        return [StoredEvent(originator_id=row["originator_id"],
                            originator_version=row["originator_version"], topic=row["topic"],
                            state=bytes(row["state"])) for row in rows]

    @contextlib.contextmanager
    def ledger_cursor(self, *, write: bool = False) -> Iterator[Any]:
        """A cursor in a transaction of its own, for the ledger's tables (store.ledger,
        store.checkpoints); committed at the end if `write`, else rolled back."""
        with self.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as cur, \
                conn.transaction(force_rollback=not write):
            yield cur

    @contextlib.contextmanager
    def ledger_transaction(self) -> Iterator[Any]:
        """A transaction that may extend the ledger: holding the writers' table lock."""
        with self.ledger_cursor(write=True) as cursor:
            cursor.execute(self._lock_events)
            yield cursor

    def read_notifications(self, after: int, stop: int, limit: int, topics: Sequence[str],
                           part: Part | None) -> list[Notification]:
        sql = SQL("SELECT notification_id, originator_id, originator_version, topic, state "
                  "FROM {schema}.{table} WHERE notification_id > %s AND notification_id <= %s"
                  ).format(schema=Identifier(self.datastore.schema),
                           table=Identifier(self.events_table_name))
        params: list[Any] = [after, stop]
        if topics:
            sql += SQL(" AND topic = ANY(%s)")
            params.append(list(topics))
        if part is not None:
            sql += SQL(f" AND {_POSTGRES_LAST_BYTE} %% %s = %s")
            params += [part.count, part.index]
        # Rows in binary: the states come as they are, not as hex text for the client to
        # decode (the query took 0.7 s instead of 1.2-1.6 s for 355,759 events).
        with self.datastore.get_connection() as conn, conn.cursor(
                row_factory=tuple_row, binary=True) as cursor:
            cursor.execute(sql + SQL(" ORDER BY notification_id LIMIT %s"), [*params, limit],
                           prepare=True)
            return _notifications(cursor.fetchall())  # bytea: bytes

    def read_streams(self, ids: Sequence[str]) -> list[Notification]:
        """The events of these streams (ids as text), each stream's in order, by its key."""
        sql = SQL("SELECT notification_id, originator_id, originator_version, topic, state "
                  "FROM {schema}.{table} WHERE originator_id = ANY(%s::uuid[]) "
                  "ORDER BY originator_id, originator_version"
                  ).format(schema=Identifier(self.datastore.schema),
                           table=Identifier(self.events_table_name))
        with self.datastore.get_connection() as conn, conn.cursor(
                row_factory=tuple_row, binary=True) as cursor:
            cursor.execute(sql, [list(ids)], prepare=True)
            return _notifications(cursor.fetchall())

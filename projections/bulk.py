"""Many rows a statement, written by the database driver itself.

A rebuild writes thousands of rows a batch; through SQLAlchemy's executemany each row costs a
parameter dict and its type processing, which took longer than the database's own work. Here
a batch's values go to the driver as tuples, converted by the columns' own bind processors
(so they read back through SQLAlchemy as if it had written them): SQLite gets one prepared
statement for all of them, PostgreSQL a COPY for new rows and one UPDATE (or INSERT) from arrays.
New rows can be made ready (sorted and converted) before the write lock is taken and sent
under it: a rebuild's parts on SQLite wait for each other's writes (at 10,000 zones each
part held the lock 2.0 s a batch, 1.2 s since).
"""

import functools
import operator
from collections.abc import Callable, Iterable, Sequence
from typing import Any, NamedTuple, TypeVar, cast

from sqlalchemy import Connection, Table
from sqlalchemy.engine import Dialect

Processor = Callable[[Any], Any]


class Ready(NamedTuple):
    """New rows of a table, converted for its driver and in its key's order (`ready`): the
    work done before the write lock is taken, for `send` to write under it."""

    table: Table
    columns: tuple[str, ...]
    values: Iterable[Sequence[Any]]


def ready(dialect: Dialect, table: Table, columns: Sequence[str],
          rows: Iterable[tuple[Any, ...]]) -> Ready:
    """New rows, each a tuple of `columns`' values, put in the order of the table's key: its
    B-tree then grows page by page, where rows in log order (random ids) each land on a page
    of their own (130,000 signers' rows into SQLite: 2.5 times the CPU in log order). Into a
    table without a key, an iterator's rows are made as they are sent."""
    columns = tuple(columns)
    if key := _key(table, columns):
        rows = sorted(rows, key=key)
    return Ready(table, columns, _converted(dialect, table, columns, rows))


def send(conn: Connection, rows: Ready) -> None:
    """The rows written: on PostgreSQL by COPY, on SQLite by one prepared statement."""
    dialect, (table, columns, values) = conn.dialect, rows
    if isinstance(values, Sequence) and not values:
        return
    names = ", ".join(_quoted(dialect, c) for c in columns)
    cursor = conn.connection.cursor()
    try:
        if dialect.name == "postgresql":
            with cursor.copy(f"COPY {_quoted(dialect, table.name)} ({names}) FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" * len(columns))
            sql = f"INSERT INTO {_quoted(dialect, table.name)} ({names}) VALUES ({marks})"
            cursor.executemany(sql, values)  # type: ignore[arg-type]  # sqlite3: any iterable
    finally:
        cursor.close()


def insert(conn: Connection, table: Table, columns: Sequence[str],
           rows: Iterable[tuple[Any, ...]]) -> None:
    """New rows made ready (`ready`) and sent at once (`send`)."""
    send(conn, ready(conn.dialect, table, columns, rows))


def update(conn: Connection, table: Table, key: str, columns: Sequence[str],
           rows: Sequence[tuple[Any, ...]]) -> None:
    """Set `columns` of the rows named by the `key` column: each row a tuple (key value,
    *values)."""
    if not rows:
        return
    dialect = conn.dialect
    every = (key, *columns)
    values = _converted(dialect, table, every, rows)
    q = functools.partial(_quoted, dialect)
    cursor = conn.connection.cursor()
    try:
        if dialect.name == "postgresql":
            # One statement for the batch: its columns as arrays, joined on the key.
            sets = ", ".join(f"{q(c)} = v.{q(c)}" for c in columns)
            cursor.execute(
                f"UPDATE {q(table.name)} AS t SET {sets} FROM {_arrays(dialect, table, every)} "
                f"WHERE t.{q(key)} = v.{q(key)}",
                [list(column) for column in zip(*values, strict=True)],
                binary=True)  # type: ignore[call-arg]  # psycopg's cursor takes it
        else:
            sets = ", ".join(f"{q(c)} = ?" for c in columns)
            cursor.executemany(f"UPDATE {q(table.name)} SET {sets} WHERE {q(key)} = ?",
                               [(*row[1:], row[0]) for row in values])
    finally:
        cursor.close()


def upsert(conn: Connection, table: Table, keys: Sequence[str], columns: Sequence[str],
           rows: Sequence[tuple[Any, ...]]) -> None:
    """Add to `columns` of the rows named by the `keys` columns, making those missing: each
    row a tuple (*key values, *amounts). Rows in key order: two transactions adding to the
    same rows at once lock them in the same order (PostgreSQL: no deadlock)."""
    if not rows:
        return
    dialect = conn.dialect
    every = (*keys, *columns)
    values = _converted(dialect, table, every, rows)
    q = functools.partial(_quoted, dialect)
    conflict = (f"ON CONFLICT ({', '.join(q(k) for k in keys)}) DO UPDATE SET "
                + ", ".join(f"{q(c)} = t.{q(c)} + excluded.{q(c)}" for c in columns))
    into = f"INSERT INTO {q(table.name)} AS t ({', '.join(q(c) for c in every)})"
    cursor = conn.connection.cursor()
    try:
        if dialect.name == "postgresql":
            cursor.execute(f"{into} SELECT * FROM {_arrays(dialect, table, every)} {conflict}",
                           [list(column) for column in zip(*values, strict=True)],
                           binary=True)  # type: ignore[call-arg]  # psycopg's cursor takes it
        else:
            cursor.executemany(f"{into} VALUES ({', '.join('?' * len(every))}) {conflict}",
                               values)
    finally:
        cursor.close()


@functools.lru_cache(maxsize=256)
def _key(table: Table, columns: tuple[str, ...]) -> Callable[[Sequence[Any]], Any] | None:
    """A row's primary key values, where the table has one and the rows hold it."""
    names = [c.name for c in table.primary_key.columns]
    if not names or not set(names) <= set(columns):
        return None
    return operator.itemgetter(*(columns.index(name) for name in names))


def _arrays(dialect: Dialect, table: Table, columns: Sequence[str]) -> str:
    """PostgreSQL: a batch's values, a parameter per column given as an array, as rows."""
    arrays = ", ".join(f"%s::{table.c[c].type.compile(dialect)}[]" for c in columns)
    return f"unnest({arrays}) AS v({', '.join(_quoted(dialect, c) for c in columns)})"


Rows = TypeVar("Rows", bound=Iterable[Sequence[Any]])


def _converted(dialect: Dialect, table: Table, columns: tuple[str, ...], rows: Rows) -> Rows:
    """The rows, with the values the driver needs converted (into a list, if any)."""
    processors = _processors(dialect, table, columns)
    if not processors:
        return rows
    converted = []
    for row in rows:
        values = list(row)
        for i, process in processors:
            if values[i] is not None:
                values[i] = process(values[i])
        converted.append(values)
    return cast(Rows, converted)


@functools.lru_cache(maxsize=256)
def _processors(dialect: Dialect, table: Table,
                columns: tuple[str, ...]) -> list[tuple[int, Processor]]:
    """The columns whose values the driver needs converted (JSON, SQLite's times), by index."""
    found = ((i, table.c[c].type._cached_bind_processor(dialect)) for i, c in enumerate(columns))
    return [(i, process) for i, process in found if process is not None]


def _quoted(dialect: Dialect, name: str) -> str:
    return dialect.identifier_preparer.quote(name)

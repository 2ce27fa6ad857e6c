"""Many rows a statement, written by the database driver itself.

A rebuild writes thousands of rows a batch; through SQLAlchemy's executemany each row costs a
parameter dict and its type processing, which took longer than the database's own work. Here
a batch's values go to the driver as tuples, converted by the columns' own bind processors
(so they read back through SQLAlchemy as if it had written them): SQLite gets one prepared
statement for all of them, PostgreSQL a COPY for new rows and one UPDATE from arrays.
"""

import functools
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.engine import Dialect

Processor = Callable[[Any], Any]


def insert(conn: Connection, table: Table, columns: Sequence[str],
           rows: Sequence[tuple[Any, ...]]) -> None:
    """New rows, each a tuple of `columns`' values."""
    if not rows:
        return
    dialect = conn.dialect
    values = _converted(dialect, table, tuple(columns), rows)
    names = ", ".join(_quoted(dialect, c) for c in columns)
    cursor = conn.connection.cursor()
    try:
        if dialect.name == "postgresql":
            with cursor.copy(f"COPY {_quoted(dialect, table.name)} ({names}) FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" * len(columns))
            cursor.executemany(
                f"INSERT INTO {_quoted(dialect, table.name)} ({names}) VALUES ({marks})", values)
    finally:
        cursor.close()


def update(conn: Connection, table: Table, key: str | Sequence[str], columns: Sequence[str],
           rows: Sequence[tuple[Any, ...]], *, add: bool = False) -> None:
    """Set `columns` of the rows named by `key` (a column or several), or with `add` add to
    them: each row a tuple (*key values, *values)."""
    if not rows:
        return
    dialect = conn.dialect
    keys = (key,) if isinstance(key, str) else tuple(key)
    every = (*keys, *columns)
    values = _converted(dialect, table, every, rows)
    q = functools.partial(_quoted, dialect)
    cursor = conn.connection.cursor()
    try:
        if dialect.name == "postgresql":
            # One statement for the batch: its columns as arrays, joined on the key.
            arrays = ", ".join(f"%s::{table.c[c].type.compile(dialect)}[]" for c in every)
            sets = ", ".join(f"{q(c)} = {f't.{q(c)} + ' if add else ''}v.{q(c)}"
                             for c in columns)
            cursor.execute(
                f"UPDATE {q(table.name)} AS t SET {sets} FROM unnest({arrays}) "
                f"AS v({', '.join(q(c) for c in every)}) "
                f"WHERE {' AND '.join(f't.{q(k)} = v.{q(k)}' for k in keys)}",
                [list(column) for column in zip(*values, strict=True)], binary=True)
        else:
            sets = ", ".join(f"{q(c)} = {f'{q(c)} + ' if add else ''}?" for c in columns)
            where = " AND ".join(f"{q(k)} = ?" for k in keys)
            cursor.executemany(f"UPDATE {q(table.name)} SET {sets} WHERE {where}",
                               [(*row[len(keys):], *row[:len(keys)]) for row in values])
    finally:
        cursor.close()


def _converted(dialect: Dialect, table: Table, columns: tuple[str, ...],
               rows: Sequence[tuple[Any, ...]]) -> Sequence[Sequence[Any]]:
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
    return converted


@functools.lru_cache(maxsize=256)
def _processors(dialect: Dialect, table: Table,
                columns: tuple[str, ...]) -> list[tuple[int, Processor]]:
    """The columns whose values the driver needs converted (JSON, SQLite's times), by index."""
    found = ((i, table.c[c].type._cached_bind_processor(dialect)) for i, c in enumerate(columns))
    return [(i, process) for i, process in found if process is not None]


def _quoted(dialect: Dialect, name: str) -> str:
    return dialect.identifier_preparer.quote(name)

"""Checking read models: recompute them from the events and compare, row by row.

The live views are caught up, then read in one snapshot together with their positions;
each view is recomputed by the very same view code and Follower into an in-memory SQLite
store, up to the position its live rows stand at. Values are normalised so that rows from
SQLite and PostgreSQL compare equal (JSON, aware UTC datetimes, numbers). A view that failed
on an event is compared up to where it stopped, and its failure reported.
"""

import contextlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Engine, Table, create_engine, select
from sqlalchemy.pool import StaticPool

from projections.tracking import Failure, Follower, View, positions

Rows = dict[str, dict[str, dict[str, Any]]]  # table → key → row


@dataclass(frozen=True)
class Difference:
    """A row the live store lacks (missing), should not have (extra), or holds changed."""

    table: str
    key: str
    live: dict[str, Any] | None
    expected: dict[str, Any] | None

    @property
    def kind(self) -> str:
        return "missing" if self.live is None else "extra" if self.expected is None else "changed"

    def __str__(self) -> str:
        head = f"{self.table} [{self.key}] {self.kind}"
        if self.live is None or self.expected is None:
            return f"{head}: {self.expected if self.live is None else self.live}"
        changes = ", ".join(f"{column}: {value!r} (live) != {self.expected[column]!r} "
                            "(from the events)" for column, value in self.live.items()
                            if value != self.expected.get(column))
        return f"{head}: {changes}"


@dataclass
class Report:
    """What a check found, at which log positions."""

    positions: dict[str, int]
    rows: int
    tables: int
    differences: list[Difference] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)

    def summary(self) -> str:
        at = (f"at event {next(iter(set(self.positions.values())))}"
              if len(set(self.positions.values())) == 1 else
              ", ".join(f"{name} at event {p}" for name, p in sorted(self.positions.items())))
        found = (f"{len(self.differences)} rows differ" if self.differences
                 else "no difference")
        failed = (f"; {len(self.failures)} failed on an event: "
                  + ", ".join(f.view for f in self.failures) if self.failures else "")
        return f"checked {self.tables} tables, {self.rows} rows ({at}): {found}{failed}"

    def lines(self) -> list[str]:
        """What an operator is told: each failed view, then each row that differs."""
        return [*(f"{f.view} failed at event {f.position}: {f.error} (rebuild it once "
                  "the cause is fixed)" for f in self.failures),
                *map(str, self.differences)]


def check(follower: Follower) -> Report:
    """Compare every live view with the same view recomputed from the events."""
    follower.catch_up()
    with snapshot(follower.reader) as conn:
        at = dict(conn.execute(select(positions.c.name, positions.c.position).where(
            positions.c.name.in_([v.name for v in follower.views]))).tuples().all())
        live = rows_of(conn, follower.views)
    expected = recompute(follower, at)
    failed = follower.failed()
    report = Report(at, sum(map(len, live.values())), len(live),
                    failures=[failed[v.name] for v in follower.views if v.name in failed])
    for table, rows in expected.items():
        found = live[table]
        report.differences += [Difference(table, key, found.get(key), rows.get(key))
                               for key in sorted(rows.keys() | found.keys())
                               if found.get(key) != rows.get(key)]
    return report


def recompute(follower: Follower, at: dict[str, int]) -> Rows:
    """The views' rows from the events, each up to notification `at[view]`, in memory."""
    scratch = create_engine("sqlite://", poolclass=StaticPool,
                            connect_args={"check_same_thread": False})
    try:
        fresh = Follower(scratch, scratch, follower.recorder, follower.mapper, follower.views,
                         follower.batch_size)
        fresh.create_tables()
        for position in sorted(set(at.values())):
            fresh.catch_up(until=position, views=[v for v in follower.views
                                                  if at[v.name] == position])
        with scratch.connect() as conn:
            return rows_of(conn, follower.views)
    finally:
        scratch.dispose()


@contextlib.contextmanager
def snapshot(engine: Engine) -> Iterator[Connection]:
    """A connection whose reads all see the store as of one moment."""
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN")  # pysqlite would run each read on its own
        else:
            conn.execution_options(isolation_level="REPEATABLE READ")
        try:
            yield conn
        finally:
            conn.rollback()


def rows_of(conn: Connection, views: Sequence[View]) -> Rows:
    """Every row of the views' tables, normalised and keyed by primary key (or unique
    index)."""
    return {table.name: _keyed(table, conn.execute(select(table)).mappings())
            for view in views for table in view.tables}


def _keyed(table: Table, found: Any) -> dict[str, dict[str, Any]]:
    keys = [c.name for c in table.primary_key.columns]
    if not keys and (unique := sorted((i for i in table.indexes if i.unique),
                                      key=lambda i: str(i.name))):
        keys = [c.name for c in unique[0].columns]
    rows: dict[str, dict[str, Any]] = {}
    for mapping in found:
        row = {name: normalised(value) for name, value in mapping.items()}
        key = ", ".join(f"{k}={row[k]}" for k in keys) if keys else _dumps(row)
        while key in rows:  # a table without a key may hold equal rows
            key += "+"
        rows[key] = row
    return rows


def normalised(value: Any) -> Any:
    """The value as both backends' drivers would agree on it."""
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        return aware.astimezone(UTC)
    if isinstance(value, float):  # ints and Decimals already compare equal by value
        return Decimal(str(value))
    if isinstance(value, list | tuple):
        return [normalised(v) for v in value]
    if isinstance(value, dict):
        return {str(k): normalised(v) for k, v in value.items()}
    return value


def _dumps(row: dict[str, Any]) -> str:
    return json.dumps(row, sort_keys=True, default=str, ensure_ascii=False)

"""One database URL, two views of it: the event store's env and SQLAlchemy's engines."""

from dataclasses import dataclass
from pathlib import Path

import orjson
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL

SQLITE_LOCK_TIMEOUT = 30
# Aggregates are cached and fast-forwarded: a load reads only the events since the cached
# version, which stays correct when other processes write to the same store.
CACHE = {"AGGREGATE_CACHE_MAXSIZE": "20000", "AGGREGATE_CACHE_FASTFORWARD": "y"}


def is_sqlite(url: URL) -> bool:
    return url.get_backend_name() == "sqlite"


def event_store_env(url: URL) -> dict[str, str]:
    """The eventsourcing settings for the database at `url` (SQLite or PostgreSQL)."""
    if is_sqlite(url):
        database = url.database or ""
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        return {
            **CACHE,
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "APPLICATION_RECORDER_TOPIC": "store.recorders:GroupCommitSQLiteRecorder",
            "SQLITE_DBNAME": database,
            "SQLITE_LOCK_TIMEOUT": str(SQLITE_LOCK_TIMEOUT),
        }
    return {
        **CACHE,
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "APPLICATION_RECORDER_TOPIC": "store.recorders:LockingPostgresRecorder",
        "POSTGRES_DBNAME": url.database or "",
        "POSTGRES_HOST": url.host or "127.0.0.1",
        "POSTGRES_PORT": str(url.port or 5432),
        "POSTGRES_USER": url.username or "",
        "POSTGRES_PASSWORD": url.password or "",
        "POSTGRES_POOL_SIZE": "10",
        "POSTGRES_MAX_OVERFLOW": "10",
        "POSTGRES_ENABLE_DB_FUNCTIONS": "y",
    }


@dataclass
class Engines:
    """Read models are read through `reader` and written through `writer`.

    On SQLite the writer starts every transaction with BEGIN IMMEDIATE, so two projection
    runners queue for the write lock instead of failing to upgrade a read lock.
    """

    reader: Engine
    writer: Engine

    def dispose(self) -> None:
        self.reader.dispose()
        self.writer.dispose()


def _json_text(value: object) -> str:
    return orjson.dumps(value).decode("utf-8")


# The read models' JSON columns, written and read a few times faster than by `json`.
JSON_CODEC = {"json_serializer": _json_text, "json_deserializer": orjson.loads}


# The read-model writer's page cache, taken only as pages are read, and the file mapped
# into memory: the ranking's and the index's B-trees are updated all over, and with SQLite's
# default 2 MB cache a rebuild of 50,000 zones fell from 14k to 6k events/s as they grew. The
# map serves pages without a copy and outlives another process's commit, which empties this
# one's cache (a shared rebuild). Measured in docs/PERFORMANCE.md (read models).
WRITER_CACHE_KIB = 512 * 1024
WRITER_MMAP_BYTES = 2 * 1024**3  # SQLite caps it at its build's limit


def engines(url: URL) -> Engines:
    """The read models' engines for the database at `url`."""
    if not is_sqlite(url):
        # Commits without waiting for the WAL to reach the disk, as SQLite's writer below: a
        # crash may lose the last read-model commits, rows and positions together (never a
        # part of one), and the views catch up again from the events. The event store's own
        # connections are not these. A rebuild in one process took 6% less time.
        engine = create_engine(url.set(drivername="postgresql+psycopg"), pool_size=10,
                               max_overflow=10, pool_pre_ping=True,
                               connect_args={"options": "-c synchronous_commit=off"},
                               **JSON_CODEC)
        return Engines(engine, engine)
    args = {"timeout": SQLITE_LOCK_TIMEOUT, "check_same_thread": False}
    reader = create_engine(url, connect_args=args, **JSON_CODEC)
    writer = create_engine(url, connect_args=args, **JSON_CODEC)

    @event.listens_for(writer, "connect")
    def _manual_transactions(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None
        # In WAL mode (the event store sets it) a commit without fsync stays atomic; a power
        # cut may lose the last read-model commits, rows and positions together, and the
        # views catch up again from the events.
        dbapi_connection.execute("PRAGMA synchronous=NORMAL")
        dbapi_connection.execute(f"PRAGMA cache_size=-{WRITER_CACHE_KIB}")
        dbapi_connection.execute(f"PRAGMA mmap_size={WRITER_MMAP_BYTES}")
        # Debian's SQLite zeroes what a write frees by default: a rebuild's dropped tables
        # and every updated row's old cell, written again for nothing (the events keep all).
        dbapi_connection.execute("PRAGMA secure_delete=OFF")

    @event.listens_for(writer, "begin")
    def _begin_immediate(connection):  # type: ignore[no-untyped-def]
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return Engines(reader, writer)

"""The baseline: a trivial FastAPI endpoint doing one durable insert per request.

Served by uvicorn exactly as the product is (`uvicorn bench.baseline:create_app --factory`),
with `APPRAISAL_DATABASE_URL` naming an SQLite file or a PostgreSQL database. It is the
best a plain blocking endpoint does on this machine with one commit per request: the
sign-off path is measured against it.
"""

import json
import os
import sqlite3
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from psycopg_pool import ConnectionPool
from sqlalchemy.engine import make_url

SQLITE_TABLE = "CREATE TABLE IF NOT EXISTS baseline (id INTEGER PRIMARY KEY, body TEXT)"
POSTGRES_TABLE = "CREATE TABLE IF NOT EXISTS baseline (id BIGSERIAL PRIMARY KEY, body TEXT)"


class SqliteStore:
    """One connection in WAL mode with synchronous=FULL, as the event store uses the file.

    Writers queue on a lock in the process, as the event store's writers do, rather than
    on SQLite's busy timeout (whose sleeps would make the baseline's tail unfairly long).
    """

    def __init__(self, path: str):
        self.conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False,
                                    timeout=30)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=FULL")
        self.conn.execute(SQLITE_TABLE)
        self.lock = threading.Lock()

    def insert(self, body: str) -> int:
        with self.lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                row_id = self.conn.execute("INSERT INTO baseline (body) VALUES (?)",
                                           (body,)).lastrowid
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")
        return int(row_id or 0)

    def close(self) -> None:
        self.conn.close()


class PostgresStore:
    """A pool of ten connections (as the event store's), one committed insert per request."""

    def __init__(self, conninfo: str):
        self.pool = ConnectionPool(conninfo, min_size=10, max_size=10, open=True)
        with self.pool.connection() as conn:
            conn.execute(POSTGRES_TABLE)

    def insert(self, body: str) -> int:
        with self.pool.connection() as conn:  # commits on leaving the block
            row = conn.execute("INSERT INTO baseline (body) VALUES (%s) RETURNING id",
                               (body,)).fetchone()
        return int(row[0]) if row else 0

    def close(self) -> None:
        self.pool.close()


def open_store(url: str) -> SqliteStore | PostgresStore:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return SqliteStore(parsed.database or "")
    return PostgresStore(parsed.set(drivername="postgresql")
                         .render_as_string(hide_password=False))


def create_app() -> FastAPI:
    """The baseline app over the database `APPRAISAL_DATABASE_URL` names."""
    url = os.environ["APPRAISAL_DATABASE_URL"]  # the bench's own app, not the product's settings
    stores: list[SqliteStore | PostgresStore] = []

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        stores.append(open_store(url))
        try:
            yield
        finally:
            stores.pop().close()

    app = FastAPI(title="baseline", lifespan=lifespan)

    @app.post("/insert", status_code=201)
    def insert(payload: dict[str, Any]) -> dict[str, int]:
        """One durable insert; a plain `def`, so it runs in the thread pool like the product."""
        return {"id": stores[0].insert(json.dumps(payload, ensure_ascii=False))}

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}
    return app

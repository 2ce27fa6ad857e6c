"""The store itself: made from nothing on the first start, on the backend the URL names.

What is in the database is read with the backend's own driver (sqlite3, psycopg), not
through the service, so these tests see what an operator would.
"""

import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from pathlib import Path

import psycopg

from domain.forms import DEFAULT_FORM_ID, AssessmentForm
from domain.users import User
from projections.tracking import metadata
from service.app import create_app
from service.runtime import build
from service.settings import Settings
from tests.helpers import Observer

# eventsourcing names the events table after the application on PostgreSQL only.
EVENTS_TABLE = {"sqlite": "stored_events", "postgresql": "appraisal_events"}
READ_MODEL_TABLES = set(metadata.tables)  # every view's, once service.app has imported them


def query(settings: Settings, sql: str, *args: object) -> list[tuple]:
    """Rows straight from the database the settings name, by the backend's own driver."""
    if settings.is_sqlite:
        with closing(sqlite3.connect(settings.url.database)) as conn:
            return conn.execute(sql.replace("%s", "?"), args).fetchall()
    with psycopg.connect(settings.database_url) as conn:
        return conn.execute(sql, args).fetchall()


def tables(settings: Settings) -> set[str]:
    sql = ("SELECT name FROM sqlite_master WHERE type = 'table'" if settings.is_sqlite else
           "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")
    return {name for (name,) in query(settings, sql)}


def events_table(settings: Settings) -> str:
    return EVENTS_TABLE[settings.url.get_backend_name()]


def last_event_id(settings: Settings) -> int:
    column = "rowid" if settings.is_sqlite else "notification_id"
    return query(settings, f"SELECT max({column}) FROM {events_table(settings)}")[0][0]


def stream_length(settings: Settings, stream: object) -> int:
    ident = stream.hex if settings.is_sqlite else stream  # type: ignore[attr-defined]
    sql = f"SELECT count(*) FROM {events_table(settings)} WHERE originator_id = %s"
    return query(settings, sql, ident)[0][0]


def test_the_first_start_creates_the_store_from_nothing(settings):
    if settings.is_sqlite:
        assert not Path(settings.url.database).exists()
    else:
        assert tables(settings) == set()
    with Observer(create_app(settings)) as client:
        assert client.get("/health").json() == {"status": "ok"}
    assert {"appraisal_index", "org_zones"} <= READ_MODEL_TABLES
    assert {events_table(settings), "projection_positions"} | READ_MODEL_TABLES <= tables(settings)
    # The default form and the administrator are there, once each, and the views caught up.
    assert stream_length(settings, AssessmentForm.create_id(DEFAULT_FORM_ID)) == 1
    assert stream_length(settings, User.create_id("admin")) == 1
    positions = dict(query(settings, "SELECT name, position FROM projection_positions"))
    assert positions and set(positions.values()) == {last_event_id(settings)}


def test_writes_land_in_the_database_the_url_names(settings, client):
    token = client.post("/auth/token", data={"username": "admin",
                                             "password": "admin-password"}).json()
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    made = client.post("/branches", json={"id": "B9", "name": "新支部"}, headers=headers)
    assert made.status_code == 201, made.text
    client.get("/zones", headers=headers).raise_for_status()  # the read side catches up
    topics = [t for (t,) in query(settings, f"SELECT topic FROM {events_table(settings)}")]
    assert sum("Branch" in t for t in topics) == 1
    assert query(settings, "SELECT id, name FROM org_branches") == [("B9", "新支部")]


def test_processes_starting_at_once_on_an_empty_store_all_come_up(settings):
    """Tables, the default form and the administrator are each made once, whoever is first."""
    barrier = threading.Barrier(3, timeout=30)

    def start(_: int):
        barrier.wait()
        return build(settings)

    with ThreadPoolExecutor(3) as pool:
        runtimes = list(pool.map(start, range(3)))
    try:
        for runtime in runtimes:
            assert runtime.workflows.find_user("admin") is not None
    finally:
        for runtime in runtimes:
            runtime.close()
    assert stream_length(settings, AssessmentForm.create_id(DEFAULT_FORM_ID)) == 1
    assert stream_length(settings, User.create_id("admin")) == 1
    assert {events_table(settings), "projection_positions"} | READ_MODEL_TABLES <= tables(settings)

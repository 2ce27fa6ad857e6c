"""Shared fixtures: one suite, run on an SQLite file and on PostgreSQL (a fresh database a run).

Under CI=true the PostgreSQL tests must run: an unreachable server fails them. Elsewhere
they skip, saying why.
"""

import atexit
import contextlib
import fcntl
import os
import secrets
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from ledger.keys import SigningKey, write_key
from service.app import create_app
from service.cli import app as cli
from service.settings import Settings
from tests.helpers import Api, Observer

POSTGRES_ADMIN = os.environ.get("APPRAISAL_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() == "true"
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
LEDGER_KEY_FILE = "APPRAISAL_LEDGER_KEY_FILE"
# The demo's store is loaded under this secret; a copy serves under any (tokens are not kept).
DEMO_SECRET = "demo-" + "x" * 40


def _service_key_for_the_run() -> None:
    """A PostgreSQL store is signed with a configured key file: one made for the run, in the
    environment of every Settings() and of every process the tests start. SQLite stores use
    it too; the tests that unset it try the key made beside the store."""
    if LEDGER_KEY_FILE in os.environ:
        return
    folder = Path(tempfile.mkdtemp(prefix="appraisal-tests-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    write_key(folder / "ledger.key", SigningKey.generate(Settings().origin))
    os.environ[LEDGER_KEY_FILE] = str(folder / "ledger.key")


_service_key_for_the_run()


# Started first: under `-n auto` (make test, which keeps this order with
# --no-loadscope-reorder) the longest files then run beside the others, not alone after them.
FIRST = ("tests/security/test_stateful_fuzz.py", "tests/security/test_authorization_matrix.py",
         "tests/e2e/test_schemathesis.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: item.nodeid.split("::")[0] not in FIRST)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A database made for this test run, dropped at its end; its URL."""
    try:
        admin = psycopg.connect(POSTGRES_ADMIN, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        message = f"PostgreSQL unreachable at {POSTGRES_ADMIN}: {error}"
        if IN_CI:
            pytest.fail(f"{message} (CI=true: the PostgreSQL tests must run)")
        pytest.skip(message)
    name = f"appraisal_test_{os.getpid()}_{secrets.token_hex(3)}"
    admin.execute(f'CREATE DATABASE "{name}"')
    base = POSTGRES_ADMIN.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@contextlib.contextmanager
def another_database(template: str | None = None) -> Iterator[str]:
    """A PostgreSQL database of its own beside the run's (a copy of the database at URL
    `template`, if given, which no one may be connected to), dropped after; its URL."""
    name = f"appraisal_test_{secrets.token_hex(4)}"
    source = f' TEMPLATE "{template.rsplit("/", 1)[1]}"' if template else ""
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"{source}')
    try:
        yield f"{POSTGRES_ADMIN.rsplit('/', 1)[0]}/{name}"
    finally:
        with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def copy_sqlite(source_url: str, target_url: str) -> None:
    """The SQLite store at `source_url` copied whole to `target_url` (its WAL's pages too)."""
    source = sqlite3.connect(make_url(source_url).database or "")
    target = sqlite3.connect(make_url(target_url).database or "")
    with source, target:
        source.backup(target)
    source.close()
    target.close()


@dataclass(frozen=True)
class Demo:
    """The demo mine as `appraisal demo` loads it on SQLite (every month of it): its store,
    to be copied before a write, and what the command said."""

    url: str
    output: str


@pytest.fixture(scope="session")
def demo_mine(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    """Loaded once per run (about 15 s) for every worker: the first to ask loads it in their
    common folder while the others wait on its lock."""
    folder = tmp_path_factory.getbasetemp()
    if "PYTEST_XDIST_WORKER" in os.environ:  # each worker's folder is in the run's
        folder = folder.parent
    url, said = f"sqlite:///{folder}/demo-mine.db", folder / "demo-mine.out"
    with (folder / "demo-mine.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file is closed
        if not said.exists():
            loaded = CliRunner().invoke(cli, ["demo"], env={
                "APPRAISAL_DATABASE_URL": url, "APPRAISAL_SECRET_KEY": DEMO_SECRET})
            assert loaded.exit_code == 0, loaded.output
            said.write_text(loaded.output, encoding="utf-8")
    return Demo(url, said.read_text(encoding="utf-8"))


def _empty_postgres(url: str) -> str:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    return url


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path) -> str:
    """An empty store: an SQLite file, or the run's PostgreSQL database emptied."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/appraisal.db"
    return _empty_postgres(request.getfixturevalue("postgres_server"))


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, secret_key="test-secret-" + "x" * 32,
                    admin_password="admin-password")


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with Observer(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture
def api(client: TestClient) -> Api:
    """The HTTP app with a small organisation and a signed-in user for every role."""
    return Api.with_small_mine(client)

"""Fast fresh worlds for the HTTP tests: the small mine is built once per backend, then copied.

Building the mine registers and signs in eleven users (argon2, about 0.1 s each), seconds a
test. Instead it is built once per backend and run, and every test that asks for `api` gets
its own copy of the finished store (an SQLite backup, or PostgreSQL's `CREATE DATABASE …
TEMPLATE`) and the tokens signed for it (the signing secret is the same). Tests that ask for
`client` alone still get an empty store.
"""

import secrets
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url

from service.app import create_app
from service.settings import Settings
from tests.conftest import POSTGRES_ADMIN
from tests.helpers import USERS, Api, Observer


@dataclass
class Worlds:
    """The small mine as built once per backend: where it is stored and its users' tokens."""

    folder: Path
    templates: dict[str, str] = field(default_factory=dict)
    tokens: dict[str, dict[str, str]] = field(default_factory=dict)
    databases: list[str] = field(default_factory=list)

    def template(self, settings: Settings) -> str:
        backend = "sqlite" if settings.is_sqlite else "postgres"
        if backend not in self.templates:
            url = (f"sqlite:///{self.folder}/mine.db" if backend == "sqlite"
                   else self.new_database())
            self.tokens[backend] = _build(settings.model_copy(update={"database_url": url}))
            self.templates[backend] = url
        return self.templates[backend]

    def new_database(self, template: str | None = None) -> str:
        name = f"appraisal_world_{secrets.token_hex(4)}"
        source = f' TEMPLATE "{make_url(template).database}"' if template else ""
        with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"{source}')
        self.databases.append(name)
        return f"{POSTGRES_ADMIN.rsplit('/', 1)[0]}/{name}"


def _build(settings: Settings) -> dict[str, str]:
    """Build the small mine in the settings' store; every user's token. The app is closed."""
    with Observer(create_app(settings)) as client:
        api = Api.with_small_mine(client)
        # Issued as the service issues them (for the user's session as it stands), without
        # an argon2 check per sign-in (test_auth signs in for real).
        rt = client.app.state.runtime
        rt.follower.catch_up()  # the copies start with their views current
        issued = {u["username"]: rt.tokens.issue(rt.workflows.load_user(u["username"]))
                  for u in USERS}
    return {**issued, **api.tokens}


def _copy_sqlite(source_url: str, target_url: str) -> None:
    source = sqlite3.connect(make_url(source_url).database or "")
    target = sqlite3.connect(make_url(target_url).database or "")
    with source, target:
        source.backup(target)
    source.close()
    target.close()


def _drop(names: list[str]) -> None:
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
        for name in names:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def worlds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Worlds]:
    built = Worlds(tmp_path_factory.mktemp("worlds"))
    yield built
    if built.databases:
        _drop(built.databases)


@pytest.fixture
def settings(settings: Settings, request: pytest.FixtureRequest,
             worlds: Worlds) -> Iterator[Settings]:
    """For a test that uses `api`: the settings of its own copy of the small mine."""
    if "api" not in request.fixturenames:
        yield settings
        return
    template = worlds.template(settings)
    # The copy has its admin already: without a password to set, start-up hashes none.
    copy = settings.model_copy(update={"admin_password": None})
    if settings.is_sqlite:
        _copy_sqlite(template, settings.database_url)
        yield copy
        return
    url = worlds.new_database(template)
    yield copy.model_copy(update={"database_url": url})
    name = make_url(url).database or ""
    _drop([name])
    worlds.databases.remove(name)


@pytest.fixture
def api(client: TestClient, settings: Settings, worlds: Worlds) -> Api:
    """The HTTP app over a fresh copy of the small mine, every user already signed in."""
    backend = "sqlite" if settings.is_sqlite else "postgres"
    return Api(client, tokens=dict(worlds.tokens[backend]))
